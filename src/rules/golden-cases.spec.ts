import { z } from 'zod';

import { editedRulesData, RULES_DATA } from '../../test/rules-fixtures';
import { GOLDEN_SUITES, loadRuleCatalogue } from '../rulesets';
import { type GoldenSuite, loadGoldenCases, runGoldenCases } from './golden-cases';
import { formatRuleProblem, RulesetInvalidError } from './loader';

const catalogue = loadRuleCatalogue(RULES_DATA);

function problemsOf(dir: string, suites: readonly GoldenSuite[] = GOLDEN_SUITES): string[] {
  try {
    loadGoldenCases(dir, suites);
  } catch (error) {
    if (error instanceof RulesetInvalidError) {
      return error.problems.map(formatRuleProblem);
    }
    throw error;
  }
  throw new Error('the cases loaded, but a problem was expected');
}

describe('golden cases in rules-data/', () => {
  const suites = loadGoldenCases(RULES_DATA, GOLDEN_SUITES);
  const cases = suites.flatMap((s) => s.cases.map((c) => [`${s.suite.name}: ${c.name}`, s, c] as const));

  it.each(cases)('%s', async (_name, suite, goldenCase) => {
    const [result] = await runGoldenCases(catalogue, [{ ...suite, cases: [goldenCase] }]);
    expect(result.differences).toEqual([]);
  });
});

describe('loadGoldenCases and runGoldenCases', () => {
  const counting: GoldenSuite<{ name: string; expectRules: number }> = {
    name: 'counting',
    case: z.strictObject({ name: z.string(), expectRules: z.number().int() }),
    check: async (sut, c) => {
      const count = sut.allRules().length;
      return count === c.expectRules ? [] : [`expected ${c.expectRules} rules, found ${count}`];
    },
  };

  it('reports a case whose expectation the rules no longer meet', async () => {
    const dir = editedRulesData('screening.cases.json', (c) => {
      c.cases[0].expect.verdict = 'contraindicated';
    });
    const results = await runGoldenCases(catalogue, loadGoldenCases(dir, GOLDEN_SUITES));
    expect(results.filter((r) => !r.passed)).toEqual([
      {
        file: 'screening.cases.json',
        name: expect.any(String),
        passed: false,
        differences: ['verdict: expected contraindicated, got clear'],
      },
    ]);
  });

  it('refuses a case that does not match the suite, naming the field', () => {
    const dir = editedRulesData('screening.cases.json', (c) => {
      c.cases[2].request.bloodPressure.systolic = 'high';
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/^screening\.cases\.json › cases\.2\.request\.bloodPressure\.systolic: /),
    ]);
  });

  it('refuses a cases file that no module defines', () => {
    const dir = editedRulesData('screening.cases.json', (c) => c);
    expect(problemsOf(dir, [counting as GoldenSuite])).toEqual(
      expect.arrayContaining([
        expect.stringContaining('no module defines a golden-case suite "screening"'),
        'counting.cases.json: is missing: every suite needs its golden cases',
      ]),
    );
  });

  it("starts every case from the file's defaults: objects merge, lists and values replace", () => {
    const dir = editedRulesData('screening.cases.json', (c) => {
      const [first, ...rest] = c.cases;
      const { patient, ...request } = first.request;
      c.defaults = { screenedOn: first.screenedOn, request: { patient } };
      c.cases = [{ name: first.name, request, expect: first.expect }, ...rest];
    });
    const [loaded] = loadGoldenCases(dir, GOLDEN_SUITES).filter((l) => l.suite.name === 'screening');
    const [original] = loadGoldenCases(RULES_DATA, GOLDEN_SUITES).filter((l) => l.suite.name === 'screening');
    expect(loaded.cases[0]).toEqual(original.cases[0]);
  });

  it('fails the plan cases when a rules edit pushes a dose past the safety envelope', async () => {
    const dir = editedRulesData('dosing.rules.json', (c) => {
      for (const rule of c.rules) {
        if (rule.event.params.set?.lopPercent !== undefined) {
          rule.event.params.set.lopPercent = 90;
        }
      }
    });
    const results = await runGoldenCases(loadRuleCatalogue(dir), loadGoldenCases(dir, GOLDEN_SUITES));
    const failed = results.filter((r) => !r.passed && r.file === 'prescription.cases.json');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].differences.join('\n')).toMatch(/ENVELOPE_BREACH[\s\S]*lopPercent 90 above 80/);
  });

  it('fails a case whose check throws, with the reason', async () => {
    const throwing: GoldenSuite = {
      name: 'throwing',
      case: z.object({ name: z.string() }),
      check: () => Promise.reject(new Error('boom')),
    };
    const results = await runGoldenCases(catalogue, [
      { suite: throwing, file: 'throwing.cases.json', cases: [{ name: 'x' }] },
    ]);
    expect(results[0]).toMatchObject({ passed: false, differences: ['the case could not be run: boom'] });
  });
});
