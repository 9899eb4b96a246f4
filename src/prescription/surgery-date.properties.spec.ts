import fc from 'fast-check';

import { RULES_DATA } from '../../test/rules-fixtures';
import { patellofemoralRequest, prescriptionRequest, SCREENED_ON } from '../../test/factories';
import { DomainError } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { PATIENT_ITEMS } from '../screening/screening-items';
import { generatePlan } from './generate-plan';
import { type Condition, CONDITIONS } from './indication';
import { PrescriptionRequest } from './prescription-request.schema';

const catalogue = loadRuleCatalogue(RULES_DATA);
const RUNS = 100;

const dayBefore = (days: number) => new Date(Date.parse(SCREENED_ON) - days * 86_400_000).toISOString().slice(0, 10);
const SURGICAL = (Object.keys(CONDITIONS) as Condition[]).filter((c) => CONDITIONS[c].surgical);
const CLEARABLE = catalogue
  .allRules()
  .filter(({ ruleset, rule }) =>
    ruleset === 'selection' ? rule.event.type === 'refer' : rule.event.params?.verdict === 'refer',
  )
  .map(({ rule }) => rule.id);

const answersArb = fc.record(
  Object.fromEntries(
    Object.keys(PATIENT_ITEMS).map((item) => [item, fc.constantFrom('no', 'no', 'no', 'no', 'no', 'yes', 'unknown')]),
  ),
);

describe("one surgery date and the surgeon's word over generated requests", () => {
  it('refuses a top-level surgery date that disagrees with the indication, naming both fields, and accepts the same one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom(...SURGICAL),
        (operated, other, condition) => {
          const base = prescriptionRequest();
          const parsed = PrescriptionRequest.safeParse({
            ...base,
            surgeryDate: dayBefore(other),
            indication: { ...base.indication, condition, surgeryDate: dayBefore(operated) },
          });
          if (operated === other) {
            expect(parsed.success).toBe(true);
          } else {
            expect(parsed.success).toBe(false);
            const fields = parsed.error!.issues.map((i) => i.path.join('.'));
            expect(fields).toEqual(expect.arrayContaining(['surgeryDate', 'indication.surgeryDate']));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("screens with the indication's operation as the recent surgery", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 200 }), fc.constantFrom(...SURGICAL), async (days, condition) => {
        const base = prescriptionRequest();
        const request = PrescriptionRequest.parse({
          ...base,
          surgeryDate: undefined,
          answers: { ...base.answers, recentSurgery: 'unknown' },
          indication: { ...base.indication, condition, surgeryDate: dayBefore(days) },
        });
        const result = await generatePlan(catalogue, request, SCREENED_ON).catch((e: unknown) => e);
        const screening =
          result instanceof DomainError
            ? (result.extensions?.screening as { findings: Array<{ inputs: Record<string, unknown> }> } | undefined)
            : (result as Awaited<ReturnType<typeof generatePlan>>).plan.screening;
        for (const finding of screening?.findings ?? []) {
          if ('daysSinceSurgery' in finding.inputs) {
            expect(finding.inputs.daysSinceSurgery).toBe(days);
          }
          expect(finding.inputs.recentSurgery ?? 'yes').toBe('yes');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("never makes a plan for a surgical indication within 7 days without the surgeon's approval, whatever the other answers and clearances", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(...SURGICAL),
        answersArb,
        fc.constantFrom('no' as const, 'unknown' as const, undefined),
        fc.subarray(CLEARABLE),
        async (days, condition, answers, approval, cleared) => {
          const base = prescriptionRequest();
          const request = PrescriptionRequest.parse({
            ...base,
            surgeryDate: undefined,
            answers: { ...answers, recentSurgery: 'yes', surgeonApprovedBfr: approval },
            clearances:
              cleared.length > 0
                ? [{ findings: cleared, by: 'Dr Generated', on: SCREENED_ON, note: 'Cleared for everything.' }]
                : undefined,
            indication: { ...base.indication, condition, surgeryDate: dayBefore(days), weightBearing: 'full' },
          });
          const result = await generatePlan(catalogue, request, SCREENED_ON).catch((e: unknown) => e);
          expect(result).toBeInstanceOf(DomainError);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never lifts the high-risk bone stress referral with a clearance that does not name it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(
          CLEARABLE.filter((id) => id !== 'sel.refer.high-risk-bsi-no-clearance'),
          { minLength: 1 },
        ),
        async (cleared) => {
          const base = patellofemoralRequest();
          const request = PrescriptionRequest.parse({
            ...base,
            clearances: [{ findings: cleared, by: 'Dr Generated', on: SCREENED_ON, note: 'Cleared.' }],
            indication: { ...base.indication, condition: 'bone-stress-injury-high-risk' },
          });
          const result = await generatePlan(catalogue, request, SCREENED_ON).catch((e: unknown) => e);
          expect(result).toBeInstanceOf(DomainError);
          expect((result as DomainError).code).toBe('REFERRAL_REQUIRED');
        },
      ),
      { numRuns: RUNS },
    );
  });
});
