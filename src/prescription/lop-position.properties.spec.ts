import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { RULES_DATA } from '../../test/rules-fixtures';
import { settled } from '../../test/thrown';
import { DomainError, ErrorCode } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../screening/screening-items';
import { generatePlan } from './generate-plan';
import { BodyPosition, Condition, CONDITIONS, Goal, WeightBearing } from './indication';
import type { LopEquationsFile } from './lop-equations';
import type { LopPositionsFile } from './lop-positions';
import type { Plan, PlannedExercise } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';
import { SAFETY_ENVELOPE } from './safety-envelope';

const catalogue = loadRuleCatalogue(RULES_DATA);
const TODAY = '2026-11-20';

// The model is read straight from the data files, not through the code under test.
const positions = JSON.parse(readFileSync(join(RULES_DATA, 'lop-positions.data.json'), 'utf8')) as LopPositionsFile;
const equations = JSON.parse(readFileSync(join(RULES_DATA, 'lop-equations.data.json'), 'utf8')) as LopEquationsFile;

const dayBefore = (days: number) => new Date(Date.parse(TODAY) - days * 86_400_000).toISOString().slice(0, 10);
const allNo = (items: Record<string, string>) => Object.fromEntries(Object.keys(items).map((item) => [item, 'no']));

/**
 * The LOP in `to` as a share of an LOP taken in `from` (null: not stated) by the position data: a
 * lower-LOP position gives 1 (the real LOP is higher still), a higher one its factor, and a higher
 * one of unknown size undefined.
 */
function modelFactor(limb: string, from: BodyPosition | null, to: BodyPosition): number | undefined {
  const effect = positions.limbs.find((e) => e.limb === limb)!;
  const one = (p: BodyPosition) =>
    p === to || effect.order.indexOf(p) < effect.order.indexOf(to)
      ? 1
      : effect.factors.find((f) => f.from === p && f.to === to)?.factor;
  if (from !== null) {
    return one(from);
  }
  const each = effect.order.map(one);
  return each.includes(undefined) ? undefined : Math.min(...(each as number[]));
}

/** The LOP a plan's exercise may at most be a %LOP of: the LOP it was taken from, carried to the exercise's position by the model. */
function lopInExercisePosition(request: PrescriptionRequest, e: PlannedExercise): number | undefined {
  const { lop } = e.dose.pressure;
  const site = request.limbs.find((l) => l.limb === e.site.limb && l.side === e.site.side)!;
  const taken =
    lop.source === 'measured'
      ? site.lop.find((m) => m.position === lop.position && m.cuffWidthCm === lop.cuffWidthCm)!.mmHg
      : lop.estimate!.rangeMmHg.low;
  const factor = modelFactor(e.site.limb, lop.position, e.exercise.position);
  return factor === undefined ? undefined : taken * factor;
}

const siteArb = (limb: 'thigh' | 'upper-arm', side: 'left' | 'right', cuffWidthCm: number) =>
  fc.record({
    limb: fc.constant(limb),
    side: fc.constant(side),
    circumferenceCm: fc.oneof(fc.integer({ min: 45, max: 70 }), fc.integer({ min: 35, max: 75 })),
    findings: fc.constant(allNo(LIMB_ITEMS)),
    cuffWidthCm: fc.constant(cuffWidthCm),
    lop: fc.uniqueArray(
      fc.record({
        mmHg: fc.integer({ min: 90, max: 300 }),
        method: fc.constantFrom('doppler' as const, 'automatic-cuff' as const),
        position: fc.constantFrom(...BodyPosition.options),
        cuffWidthCm: fc.constant(cuffWidthCm),
        measuredOn: fc.integer({ min: 0, max: 6 }).map(dayBefore),
      }),
      { maxLength: 2, selector: (m) => m.position },
    ),
  });

/** Clean screenings over every condition, with one or two LOPs in random positions (or none, for an estimate) per site. */
const requestArb = fc
  .record({
    condition: fc.constantFrom(...Condition.options),
    side: fc.constantFrom('left' as const, 'right' as const),
    daysSince: fc.integer({ min: 0, max: 200 }),
    weightBearing: fc.constantFrom(...WeightBearing.options),
    goal: fc.constantFrom(...Goal.options),
    newToBfr: fc.constantFrom('yes' as const, 'no' as const),
    sex: fc.constantFrom('female' as const, 'male' as const, 'other' as const),
    ageYears: fc.oneof(fc.integer({ min: 18, max: 33 }), fc.integer({ min: 15, max: 80 })),
    systolic: fc.integer({ min: 95, max: 139 }),
    cuffWidthCm: fc.constantFrom(11.5, 18, 8),
  })
  .chain((r) =>
    fc.tuple(
      fc.constant(r),
      siteArb('thigh', r.side, r.cuffWidthCm),
      siteArb('thigh', r.side === 'left' ? 'right' : 'left', r.cuffWidthCm),
      siteArb('upper-arm', r.side, 11.5),
    ),
  )
  .map(([r, ...limbs]): PrescriptionRequest => {
    const surgical = CONDITIONS[r.condition].surgical;
    const date = dayBefore(r.daysSince);
    return {
      patient: {
        ref: 'mrn-generated',
        birthDate: `${2026 - r.ageYears}-01-01`,
        sex: r.sex,
        heightCm: 175,
        weightKg: 70,
      },
      answers: {
        ...allNo(PATIENT_ITEMS),
        ...(surgical && r.daysSince <= 90 ? { recentSurgery: 'yes', surgeonApprovedBfr: 'yes' } : {}),
      },
      ...(surgical && r.daysSince <= 90 ? { surgeryDate: date } : {}),
      bloodPressure: { systolic: r.systolic, diastolic: Math.min(r.systolic - 30, 89), measuredOn: TODAY },
      limbs,
      indication: {
        condition: r.condition,
        side: r.side,
        weightBearing: r.weightBearing,
        ...(surgical ? { surgeryDate: date } : { onsetDate: date }),
      },
      goal: r.goal,
      newToBfr: r.newToBfr,
      oneRepMaxKg: {},
    } as PrescriptionRequest;
  });

const outcome = (request: PrescriptionRequest): Promise<Plan | DomainError> =>
  settled(generatePlan(catalogue, request, TODAY).then((result) => result.plan));

describe('LOP position and population properties', () => {
  it("never sets a pressure above the envelope's %LOP of the LOP in the exercise's own position", async () => {
    let carried = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const result = await outcome(request);
        if (result instanceof DomainError) {
          return;
        }
        for (const e of result.exercises) {
          const ceiling = lopInExercisePosition(request, e);
          expect(ceiling).toBeDefined();
          // Set points are whole mmHg: half a mmHg of rounding, as for any LOP.
          const limit = (SAFETY_ENVELOPE.maxLopPercent / 100) * ceiling! + 0.5;
          expect(e.dose.pressure.mmHg).toBeLessThanOrEqual(limit);
          expect(e.dose.pressure.startMmHg).toBeLessThanOrEqual(limit);
          if (e.dose.pressure.lop.positionAdjustment) {
            carried += 1;
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(carried).toBeGreaterThan(0);
  });

  it('estimates an LOP only for a patient inside the population of the equation used', async () => {
    const estimateOnly = requestArb.map((request) => ({
      ...request,
      limbs: request.limbs.map((l) => ({ ...l, cuffWidthCm: 18, lop: [] })),
    }));
    let estimated = 0;
    let outside = 0;
    await fc.assert(
      fc.asyncProperty(estimateOnly, async (request) => {
        const result = await outcome(request);
        if (result instanceof DomainError) {
          if (result.code === ErrorCode.LopRequired && result.detail.includes('lop.estimate.outside-population')) {
            outside += 1;
            expect(result.detail).toMatch(/is outside|is not in the sample|not recorded/);
          }
          return;
        }
        estimated += 1;
        const age = 2026 - Number(request.patient.birthDate.slice(0, 4));
        for (const e of result.exercises) {
          const equation = equations.equations.find((q) => q.id === e.dose.pressure.lop.estimate?.equationId)!;
          const ranges = equation.populationRanges!;
          const site = request.limbs.find((l) => l.limb === e.site.limb && l.side === e.site.side)!;
          expect(age).toBeGreaterThanOrEqual(ranges.ageYears.min);
          expect(age).toBeLessThanOrEqual(ranges.ageYears.max);
          expect(ranges.sex).toContain(request.patient.sex);
          expect(site.circumferenceCm).toBeGreaterThanOrEqual(ranges.limbCircumferenceCm.min);
          expect(site.circumferenceCm).toBeLessThanOrEqual(ranges.limbCircumferenceCm.max);
          expect(request.bloodPressure!.systolic).toBeGreaterThanOrEqual(ranges.systolicBp.min);
          expect(request.bloodPressure!.systolic).toBeLessThanOrEqual(ranges.systolicBp.max);
        }
      }),
      { numRuns: 100 },
    );
    expect(estimated).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
  });
});
