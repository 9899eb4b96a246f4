import { prescriptionLimb, prescriptionRequest, SCREENED_ON } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { generatePlan } from './generate-plan';
import { candidatesOf } from './plan-candidates';
import { doseExercise, inflationOf, pressureRamp } from './plan-dose';
import { resolveLops, lopKey } from './plan-lops';
import { stagesBefore } from './plan-stages.fixture';
import { doseSettingsOf } from './rule-params';

const catalogue = loadRuleCatalogue(RULES_DATA);

describe('pressureRamp', () => {
  it('steps from the first-session pressure to the working pressure, never past it', () => {
    const ramp = pressureRamp(40, 75, 10, 200);
    expect(ramp.map((s) => s.lopPercent)).toEqual([40, 50, 60, 70, 75]);
    expect(ramp.map((s) => s.session)).toEqual([1, 2, 3, 4, 5]);
    expect(ramp.at(-1)!.mmHg).toBe(150);
  });

  it('is one session when the first session is already at the working pressure', () => {
    expect(pressureRamp(60, 60, 10, 180)).toEqual([{ session: 1, lopPercent: 60, mmHg: 108 }]);
  });
});

describe('inflationOf', () => {
  const pressure = {
    lopPercent: 60,
    startLopPercent: 40,
    rampStepLopPercent: 10,
    reperfusionSeconds: 180,
    maxContinuousMinutes: 15,
  };

  it('counts every repetition and the inflated rests between sets of resistance work', () => {
    const dose = doseSettingsOf('resistance', {
      ...pressure,
      loadPercent1RM: 30,
      setScheme: [30, 15],
      restBetweenSetsSeconds: 30,
      tempo: { concentricSeconds: 1, eccentricSeconds: 2 },
    });
    expect(inflationOf(dose)).toEqual({ continuous: 45 * 3 + 30, total: 45 * 3 + 30 });
  });

  it('counts one bout as continuous and all bouts as the total of timed work', () => {
    const dose = doseSettingsOf('passive', { ...pressure, bouts: { count: 3, minutes: 5, restSeconds: 120 } });
    expect(inflationOf(dose)).toEqual({ continuous: 300, total: 900 });
  });
});

describe('doseExercise', () => {
  it('doses the first exercise of a plan as generatePlan does, with the envelope view of it', async () => {
    const request = prescriptionRequest({ limbs: [prescriptionLimb('left', 190)] });
    const { screening, facts, phase } = await stagesBefore(catalogue, request, 3, null);
    const { kept } = candidatesOf(phase, request, screening, catalogue);
    const lops = await resolveLops(catalogue, request, screening, kept, SCREENED_ON);
    const first = kept[0];
    const dosed = doseExercise(
      catalogue,
      facts,
      phase,
      first,
      lops.get(lopKey(first))!,
      request.oneRepMaxKg[first.exercise.id],
    );

    const { plan } = await generatePlan(catalogue, request, SCREENED_ON);
    expect(plan.indication.weeksSinceSurgery).toBe(3);
    expect(dosed.planned.dose).toEqual(plan.exercises[0].dose);
    expect(dosed.envelope.setPointMmHg).toBe(
      Math.max(dosed.planned.dose.pressure.mmHg, dosed.planned.dose.pressure.startMmHg),
    );
    expect(dosed.envelope.basis.lopPercent).toEqual(dosed.planned.dose.pressure.basis.lopPercent.map((b) => b.ruleId));
  });
});
