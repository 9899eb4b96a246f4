import fc from 'fast-check';

import { propertyRuns, propertyTimeoutMs } from '../../test/property-runs';
import { RULES_DATA } from '../../test/rules-fixtures';
import { settled } from '../../test/thrown';
import { DomainError, ErrorCode } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { screenPatient } from '../screening/screen-patient';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../screening/screening-items';
import { generatePlan } from './generate-plan';
import { screeningRequestOf } from './surgery-date';
import { BodyPosition, Condition, CONDITIONS, Goal, LopMethod, WeightBearing } from './indication';
import type { Plan } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';
import { checkEnvelope, SAFETY_ENVELOPE } from './safety-envelope';

const catalogue = loadRuleCatalogue(RULES_DATA);
const TODAY = '2026-11-20';
const RUNS = propertyRuns();

/** Every finding a clearance may name: the screening's referrals and the selection's. */
const CLEARABLE = catalogue
  .allRules()
  .filter(({ ruleset, rule }) =>
    ruleset === 'selection' ? rule.event.type === 'refer' : rule.event.params?.verdict === 'refer',
  )
  .map(({ rule }) => rule.id);

const dayBefore = (days: number) => new Date(Date.parse(TODAY) - days * 86_400_000).toISOString().slice(0, 10);
const allNo = (items: Record<string, string>) => Object.fromEntries(Object.keys(items).map((item) => [item, 'no']));

/** Measurements mostly taken with the site's own cuff, so that most requests reach dosing. */
const lopArb = (siteCuffWidthCm: number) =>
  fc.record({
    mmHg: fc.integer({ min: 90, max: 320 }),
    method: fc.constantFrom(...LopMethod.options, 'doppler', 'doppler', 'automatic-cuff', 'automatic-cuff'),
    position: fc.constantFrom(...BodyPosition.options),
    cuffWidthCm: fc.constantFrom(siteCuffWidthCm, siteCuffWidthCm, siteCuffWidthCm, 5, 11.5, 18),
    measuredOn: fc.integer({ min: 0, max: 20 }).map(dayBefore),
    readings: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  });

const limbArb = (limb: 'thigh' | 'upper-arm', side: 'left' | 'right', findings: fc.Arbitrary<Record<string, string>>) =>
  fc.constantFrom(11.5, 11.5, 11.5, 5, 18).chain((cuffWidthCm) =>
    fc.record({
      limb: fc.constant(limb),
      side: fc.constant(side),
      circumferenceCm: fc.integer({ min: 30, max: 75 }),
      findings,
      cuffWidthCm: fc.constant(cuffWidthCm),
      lop: fc.uniqueArray(lopArb(cuffWidthCm), { maxLength: 3, selector: (m) => `${m.position}:${m.cuffWidthCm}` }),
    }),
  );

/**
 * Requests across every condition, time since injury, weight bearing and LOP set-up, with the
 * screening answered by `answers`; the injured thigh is always a planned cuff site.
 */
const requestArb = (
  answers: fc.Arbitrary<Record<string, string>>,
  findings: fc.Arbitrary<Record<string, string>>,
  systolic: fc.Arbitrary<number>,
) =>
  fc
    .record({
      condition: fc.constantFrom(...Condition.options),
      side: fc.constantFrom('left' as const, 'right' as const),
      daysSince: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 1000 })),
      weightBearing: fc.constantFrom(...WeightBearing.options),
      goal: fc.constantFrom(...Goal.options),
      newToBfr: fc.constantFrom('yes' as const, 'no' as const, 'unknown' as const),
      sex: fc.constantFrom('female' as const, 'male' as const, 'other' as const),
      answers,
      systolic,
      otherThigh: fc.boolean(),
      arm: fc.boolean(),
      cleared: fc.subarray(CLEARABLE),
      oneRepMax: fc.option(fc.integer({ min: 20, max: 250 }), { nil: undefined }),
    })
    .chain((r) => {
      const other = r.side === 'left' ? 'right' : 'left';
      const sites: Array<['thigh' | 'upper-arm', 'left' | 'right']> = [
        ['thigh', r.side],
        ...(r.otherThigh ? [['thigh', other] as ['thigh', 'left' | 'right']] : []),
        ...(r.arm ? [['upper-arm', r.side] as ['upper-arm', 'left' | 'right']] : []),
      ];
      return fc.tuple(fc.constant(r), fc.tuple(...sites.map(([limb, side]) => limbArb(limb, side, findings))));
    })
    .map(([r, limbs]): PrescriptionRequest => {
      const surgical = CONDITIONS[r.condition].surgical;
      const date = dayBefore(r.daysSince);
      return {
        patient: { ref: 'mrn-generated', birthDate: '1990-06-01', sex: r.sex, heightCm: 175, weightKg: 70 },
        answers: { ...r.answers, ...(surgical ? { recentSurgery: 'yes' } : {}) },
        ...(surgical ? { surgeryDate: date } : r.answers.recentSurgery === 'yes' ? { surgeryDate: dayBefore(30) } : {}),
        bloodPressure: { systolic: r.systolic, diastolic: Math.min(r.systolic - 30, 95), measuredOn: TODAY },
        ...(r.cleared.length > 0
          ? { clearances: [{ findings: r.cleared, by: 'Dr Generated', on: TODAY, note: 'Cleared for BFR.' }] }
          : {}),
        limbs,
        indication: {
          condition: r.condition,
          side: r.side,
          weightBearing: r.weightBearing,
          ...(surgical ? { surgeryDate: date } : { onsetDate: date }),
        },
        goal: r.goal,
        newToBfr: r.newToBfr,
        oneRepMaxKg: r.oneRepMax ? { 'leg-press': r.oneRepMax, 'knee-extension': r.oneRepMax / 2 } : {},
      } as PrescriptionRequest;
    });

const clean = requestArb(
  fc.constant({ ...allNo(PATIENT_ITEMS), surgeonApprovedBfr: 'yes' }),
  fc.constant(allNo(LIMB_ITEMS)),
  fc.integer({ min: 95, max: 139 }),
);
const mixed = requestArb(
  fc.record(
    Object.fromEntries(
      Object.keys(PATIENT_ITEMS).map((item) => [
        item,
        fc.constantFrom('no', 'no', 'no', 'no', 'no', 'no', 'yes', 'unknown'),
      ]),
    ),
  ),
  fc.record(
    Object.fromEntries(
      Object.keys(LIMB_ITEMS).map((item) => [item, fc.constantFrom('no', 'no', 'no', 'no', 'yes', 'unknown')]),
    ),
  ),
  fc.integer({ min: 95, max: 185 }),
);

/** The envelope recomputed from what the plan says, not from what the engine computed on the way. */
function envelopeOf(plan: Plan) {
  return plan.exercises.map((e) => {
    const { dose } = e;
    const sets = dose.sets.value;
    const tempo = dose.tempo.value;
    const bouts = dose.bouts.value;
    const continuousSeconds =
      sets && tempo
        ? sets.reduce((a, b) => a + b, 0) * (tempo.concentricSeconds + tempo.eccentricSeconds) +
          (sets.length - 1) * (dose.restBetweenSets.seconds ?? 0)
        : bouts!.minutes * 60;
    return {
      exerciseId: e.exercise.id,
      limb: e.site.limb,
      side: e.site.side,
      lopPercent: Math.max(dose.pressure.lopPercent, dose.pressure.startLopPercent),
      setPointMmHg: Math.max(dose.pressure.mmHg, dose.pressure.startMmHg),
      loadPercent1RM: dose.load.percent1RM,
      continuousInflationMinutes: continuousSeconds / 60,
      inflatedMinutes: bouts ? bouts.count * bouts.minutes : continuousSeconds / 60,
      reperfusionSeconds:
        bouts && bouts.count > 1 ? Math.min(dose.reperfusion.seconds, bouts.restSeconds) : dose.reperfusion.seconds,
      basis: {},
    };
  });
}

const outcome = (request: PrescriptionRequest): Promise<Plan | DomainError> =>
  settled(generatePlan(catalogue, request, TODAY).then((result) => result.plan));

describe('plan properties over generated requests', () => {
  it(
    'never returns a plan that breaches the safety envelope, and never fails for a reason the rules should have covered',
    async () => {
      let plans = 0;
      await fc.assert(
        fc.asyncProperty(clean, async (request) => {
          const result = await outcome(request);
          if (result instanceof DomainError) {
            // A very high LOP can put even a modest % LOP over the set-point ceiling: refused, never clamped.
            // Every other limit is one the rules must respect on their own.
            if (result.code === ErrorCode.EnvelopeBreach) {
              const breaches = result.extensions!.breaches as Array<{ parameter: string }>;
              expect(breaches.map((b) => b.parameter)).toEqual(breaches.map(() => 'setPointMmHg'));
            }
            expect(result.detail).not.toMatch(/rules need correcting/);
            return;
          }
          plans += 1;
          expect(checkEnvelope(envelopeOf(result))).toEqual([]);
          for (const e of result.exercises) {
            const { pressure } = e.dose;
            expect(pressure.mmHg).toBe(Math.round((pressure.lopPercent * pressure.lop.mmHg) / 100));
            expect(pressure.mmHg).toBeLessThanOrEqual(SAFETY_ENVELOPE.maxSetPointMmHg);
            expect(e.dose.continuousMinutes).toBeLessThanOrEqual(e.dose.maxContinuousMinutes.value);
            expect(pressure.basis.lopPercent.length).toBeGreaterThan(0);
          }
          expect(result.exercises.some((e) => e.injuredSide)).toBe(true);
        }),
        { numRuns: RUNS },
      );
      expect(plans).toBeGreaterThan(RUNS / 10);
    },
    propertyTimeoutMs(30_000),
  );

  it(
    'never makes a plan for a contraindicated, incomplete or uncleared screening',
    async () => {
      await fc.assert(
        fc.asyncProperty(mixed, async (request) => {
          const screened = screeningRequestOf(request);
          const screening = await screenPatient(catalogue, screened.request, TODAY, {
            surgicalIndication: screened.surgicalIndication,
          });
          const result = await outcome(request);
          if (!(result instanceof DomainError)) {
            expect(['clear', 'caution']).toContain(screening.verdict);
            expect(result.screening).toEqual(screening);
            return;
          }
          const expected = {
            contraindicated: ErrorCode.Contraindicated,
            incomplete: ErrorCode.ScreeningIncomplete,
            refer: ErrorCode.ReferralRequired,
          }[screening.verdict as 'contraindicated' | 'incomplete' | 'refer'];
          if (expected) {
            expect(result.code).toBe(expected);
          }
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );
});
