import { editedRulesData, RULES_DATA } from '../../test/rules-fixtures';
import { RULESET_SPECS } from '../rulesets';
import { runGoldenCase } from './golden-cases';
import { loadRules } from './loader';

const { catalogue, goldenCases } = loadRules({ dir: RULES_DATA, specs: RULESET_SPECS });

describe('golden cases in rules-data/', () => {
  it.each(goldenCases.map((c) => [`${c.ruleset}: ${c.name}`, c] as const))('%s', async (_name, goldenCase) => {
    const result = await runGoldenCase(catalogue, goldenCase);
    expect(result.differences).toEqual([]);
    expect(result.passed).toBe(true);
  });
});

describe('runGoldenCase', () => {
  it('reports a case whose expectation the rules no longer meet', async () => {
    const dir = editedRulesData('screening.cases.json', (c) => {
      c.cases[0].expectFired = ['ci.pregnancy'];
    });
    const edited = loadRules({ dir, specs: RULESET_SPECS });
    const result = await runGoldenCase(edited.catalogue, edited.goldenCases[0]);
    expect(result.passed).toBe(false);
    expect(result.differences).toEqual(['expected ci.pregnancy to fire, it did not']);
  });

  it('reports a case whose facts the ruleset refuses', async () => {
    const result = await runGoldenCase(catalogue, { ...goldenCases[0], facts: { ageYears: 30 } });
    expect(result.passed).toBe(false);
    expect(result.differences[0]).toMatch(/^evaluation failed: .*vteHistory/);
  });
});
