import { patellofemoralRequest, prescriptionLimb } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { exerciseCatalogue } from './exercise-catalogue';
import { candidatesOf } from './plan-candidates';
import { stagesBefore } from './plan-stages.fixture';

const catalogue = loadRuleCatalogue(RULES_DATA);

describe('candidatesOf', () => {
  it('keeps the phase exercises on the planned cuff sites, injured side first', async () => {
    const request = patellofemoralRequest();
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const { kept, omitted } = candidatesOf(phase, request, screening, catalogue);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((c) => c.side === 'left' && c.injuredSide && c.basis === phase.fired)).toBe(true);
    // The other thigh is not a planned site: an exercise on both sides is left out there, with why.
    expect(omitted.every((o) => o.side === 'right' && /not a planned cuff site/.test(o.reason))).toBe(true);
  });

  it('leaves out each exercise whose equipment the patient lacks, saying what is missing', async () => {
    const request = patellofemoralRequest({ equipment: [] });
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const exercises = new Map(catalogue.table(exerciseCatalogue).exercises.map((e) => [e.id, e]));
    const needing = phase.exercises
      .filter((e) => exercises.get(e.exercise)!.equipment.length > 0)
      .map((e) => e.exercise);
    expect(needing.length).toBeGreaterThan(0);
    const { kept, omitted } = candidatesOf(phase, request, screening, catalogue);
    expect(kept.some((c) => needing.includes(c.exercise.id))).toBe(false);
    expect(
      omitted
        .filter((o) => needing.includes(o.exercise) && o.side === 'left')
        .every((o) => /which the patient does not have/.test(o.reason)),
    ).toBe(true);
  });

  it("refuses when the injured side's cuff site is screened out, with the reason for each exercise", async () => {
    const request = patellofemoralRequest({
      limbs: [prescriptionLimb('left', 190, { findings: { wound: 'yes' } }), prescriptionLimb('right', 190)],
    });
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const error = thrownBy(() => candidatesOf(phase, request, screening, catalogue));
    expect(error.code).toBe(ErrorCode.PlanNotPossible);
    expect(error.detail).toMatch(/the screening of the left thigh is contraindicated/);
  });
});
