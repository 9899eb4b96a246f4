import fc from 'fast-check';

import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { factSetGenerator } from './differential';
import { factCheck } from './fact-check';

const catalogue = loadRuleCatalogue(RULES_DATA);
const RUNS = Number(process.env.FC_RUNS ?? 100);

describe('factCheck', () => {
  it.each(catalogue.rulesetNames)('accepts and refuses the %s facts exactly as the ruleset zod object does', (name) => {
    const ruleset = catalogue.ruleset(name)!;
    const sut = factCheck(ruleset.spec, ruleset.facts);
    const next = factSetGenerator(ruleset, 7);
    const factNames = Object.keys(ruleset.spec.facts);
    const edit = fc.oneof(
      fc.constant((f: Record<string, unknown>) => f),
      fc.constantFrom(...factNames).map((fact) => (f: Record<string, unknown>) => {
        const { [fact]: _dropped, ...rest } = f;
        return rest;
      }),
      fc.constant((f: Record<string, unknown>) => ({ ...f, notAFact: 'yes' })),
      fc
        .tuple(
          fc.constantFrom(...factNames),
          fc.constantFrom<unknown>('Yes', -1, 2.5, null, true, [], ['unknown-item'], undefined, -0, Number.NaN),
        )
        .map(([fact, value]) => (f: Record<string, unknown>) => ({ ...f, [fact]: value })),
    );
    fc.assert(
      fc.property(edit, (change) => {
        const facts = change(next());
        // Twice: the second answer comes from what the first remembered.
        for (let i = 0; i < 2; i++) {
          const expected = ruleset.facts.safeParse(facts);
          const actual = sut(facts);
          expect(actual.success).toBe(expected.success);
          if (actual.success && expected.success) {
            expect(actual.data).toStrictEqual(expected.data);
          }
        }
      }),
      { numRuns: RUNS * 3, seed: 4 },
    );
  });
});
