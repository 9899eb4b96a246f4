import fc from 'fast-check';

import { propertyRuns, propertyTimeoutMs } from '../../test/property-runs';
import { RULES_DATA } from '../../test/rules-fixtures';
import type { RuleCondition } from '../rules/rule-file.schema';
import { loadRuleCatalogue } from '../rulesets';
import { screenPatient } from './screen-patient';
import { LIMB_ITEMS, PATIENT_ITEMS, type PatientItem } from './screening-items';
import { VERDICTS } from './screening.ruleset';
import type { ScreeningRequest } from './screening.schema';

const catalogue = loadRuleCatalogue(RULES_DATA);
const SCREENED_ON = '2026-11-20';
const RUNS = propertyRuns();

/** Items whose single-condition rule gives `verdict` when the answer is `answer`, read from the rules data. */
function itemsWhere(verdict: string, answer: string): PatientItem[] {
  return catalogue.ruleset('screening')!.rules.flatMap((rule) => {
    const conditions = rule.conditions.all;
    const only = conditions?.length === 1 ? (conditions[0] as RuleCondition) : undefined;
    return rule.event.params.verdict === verdict &&
      only?.operator === 'equal' &&
      only.value === answer &&
      only.fact! in PATIENT_ITEMS
      ? [only.fact as PatientItem]
      : [];
  });
}
const ABSOLUTE = itemsWhere('contraindicated', 'yes');
const REQUIRED = itemsWhere('incomplete', 'unknown');
/** Answers that add a risk when they turn from no to yes (the surgeon's approval lowers it; surgery needs a date). */
const RISK_FACTORS = (Object.keys(PATIENT_ITEMS) as PatientItem[]).filter(
  (item) => item !== 'surgeonApprovedBfr' && item !== 'recentSurgery',
);
/** Caution items that, left unanswered, are asked only when they alone would make a clear screening a caution. */
const ASKED_WHEN_DECISIVE = catalogue
  .ruleset('screening')!
  .rules.flatMap((rule) => (rule.event.params?.unanswered ? [String(rule.event.params.unanswered)] : []));
/** The rule ids a clearance may name. */
const CLEARABLE = catalogue
  .ruleset('screening')!
  .rules.filter((rule) => rule.event.params?.verdict === 'refer')
  .map((rule) => rule.id);

const dayBefore = (days: number) => new Date(Date.parse(SCREENED_ON) - days * 86_400_000).toISOString().slice(0, 10);

const site = (limb: 'thigh' | 'upper-arm', side: 'left' | 'right') =>
  fc.record({
    limb: fc.constant(limb),
    side: fc.constant(side),
    findings: fc.record(
      Object.fromEntries(
        Object.keys(LIMB_ITEMS).map((item) => [item, fc.constantFrom('no', 'no', 'no', 'yes', 'unknown')]),
      ),
    ),
  });

const patientArb: fc.Arbitrary<ScreeningRequest> = fc
  .record({
    patient: fc.record({
      ref: fc.constant('mrn-generated'),
      birthDate: fc.integer({ min: 14 * 366, max: 100 * 365 }).map(dayBefore),
      sex: fc.constantFrom('female', 'male', 'other', 'unknown'),
      heightCm: fc.integer({ min: 150, max: 200 }),
      weightKg: fc.integer({ min: 45, max: 130 }),
    }),
    // Mostly "no", so that single changes still matter.
    answers: fc.record(
      Object.fromEntries(
        Object.keys(PATIENT_ITEMS).map((item) => [item, fc.constantFrom('no', 'no', 'no', 'no', 'yes', 'unknown')]),
      ),
    ),
    surgeryDaysAgo: fc.integer({ min: 0, max: 90 }),
    bloodPressure: fc.option(
      fc.integer({ min: 90, max: 200 }).chain((systolic) =>
        fc.record({
          systolic: fc.constant(systolic),
          diastolic: fc.integer({ min: 50, max: Math.min(systolic - 1, 130) }),
          measuredOn: fc.integer({ min: 0, max: 45 }).map(dayBefore),
        }),
      ),
      { nil: undefined },
    ),
    limbs: fc
      .constantFrom<Array<['thigh' | 'upper-arm', 'left' | 'right']>>(
        [['thigh', 'left']],
        [
          ['thigh', 'left'],
          ['thigh', 'right'],
        ],
        [
          ['upper-arm', 'right'],
          ['thigh', 'left'],
        ],
      )
      .chain((sites) => fc.tuple(...sites.map(([limb, side]) => site(limb, side)))),
    cleared: fc.subarray(CLEARABLE),
  })
  .map(({ surgeryDaysAgo, bloodPressure, cleared, ...rest }) => ({
    ...rest,
    ...(rest.answers.recentSurgery === 'yes' ? { surgeryDate: dayBefore(surgeryDaysAgo) } : {}),
    ...(bloodPressure ? { bloodPressure } : {}),
    ...(cleared.length > 0
      ? { clearances: [{ findings: cleared, by: 'Dr Generated', on: SCREENED_ON, note: 'Cleared.' }] }
      : {}),
  })) as fc.Arbitrary<ScreeningRequest>;

const rank = (verdict: string) => VERDICTS.indexOf(verdict as (typeof VERDICTS)[number]);
const screen = (request: ScreeningRequest) => screenPatient(catalogue, request, SCREENED_ON);

describe('screening properties over generated patients', () => {
  it('reads the absolute and required items from the rules', () => {
    expect(ABSOLUTE).toEqual(expect.arrayContaining(['vteHistory', 'clottingDisorder', 'pregnant', 'sickleCell']));
    expect(REQUIRED.length).toBeGreaterThan(10);
  });

  it(
    'is never clear or caution when an absolute item is answered yes',
    async () => {
      await fc.assert(
        fc.asyncProperty(patientArb, fc.constantFrom(...ABSOLUTE), async (request, item) => {
          const outcome = await screen({ ...request, answers: { ...request.answers, [item]: 'yes' } });
          expect(outcome.verdict).toBe('contraindicated');
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );

  it(
    'is incomplete or worse when a required item is unknown',
    async () => {
      await fc.assert(
        fc.asyncProperty(patientArb, fc.constantFrom(...REQUIRED), async (request, item) => {
          const outcome = await screen({ ...request, answers: { ...request.answers, [item]: 'unknown' } });
          expect(['incomplete', 'contraindicated']).toContain(outcome.verdict);
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );

  it(
    'never improves when a risk factor is added',
    async () => {
      await fc.assert(
        fc.asyncProperty(patientArb, fc.constantFrom(...RISK_FACTORS), async (request, item) => {
          fc.pre(request.answers[item] === 'no');
          // An unanswered caution item is asked only while it alone decides the verdict; a new risk
          // factor can end that, so those items are answered here.
          const answered = Object.fromEntries(
            Object.entries(request.answers).map(([k, v]) => [
              k,
              ASKED_WHEN_DECISIVE.includes(k) && v === 'unknown' ? 'no' : v,
            ]),
          );
          const before = await screen({ ...request, answers: answered });
          const after = await screen({ ...request, answers: { ...answered, [item]: 'yes' } });
          expect(rank(after.verdict)).toBeGreaterThanOrEqual(rank(before.verdict));
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );

  it(
    'never improves when the blood pressure rises',
    async () => {
      await fc.assert(
        fc.asyncProperty(patientArb, fc.integer({ min: 1, max: 40 }), async (request, rise) => {
          fc.pre(request.bloodPressure !== undefined);
          const bp = request.bloodPressure!;
          const before = await screen(request);
          const after = await screen({
            ...request,
            bloodPressure: { ...bp, systolic: bp.systolic + rise, diastolic: bp.diastolic + rise },
          });
          expect(rank(after.verdict)).toBeGreaterThanOrEqual(rank(before.verdict));
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );

  it(
    'never improves when a problem is found at a cuff site',
    async () => {
      await fc.assert(
        fc.asyncProperty(patientArb, fc.constantFrom(...Object.keys(LIMB_ITEMS)), async (request, item) => {
          const before = await screen(request);
          const limbs = request.limbs.map((l, i) =>
            i === 0 ? { ...l, findings: { ...l.findings, [item]: 'yes' as const } } : l,
          );
          const after = await screen({ ...request, limbs });
          expect(rank(after.verdict)).toBeGreaterThanOrEqual(rank(before.verdict));
          expect(rank(after.limbs[0].verdict)).toBeGreaterThanOrEqual(rank(before.limbs[0].verdict));
        }),
        { numRuns: RUNS },
      );
    },
    propertyTimeoutMs(30_000),
  );
});
