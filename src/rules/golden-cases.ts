import type { RuleCatalogue } from './catalogue';
import type { GoldenCase } from './loader';

export interface GoldenCaseResult {
  case: GoldenCase;
  passed: boolean;
  fired: string[];
  /** What differs from the expectation, in words; empty when the case passed. */
  differences: string[];
}

/** Runs one golden case: the set of rules that fire must be exactly the expected one. */
export async function runGoldenCase(catalogue: RuleCatalogue, goldenCase: GoldenCase): Promise<GoldenCaseResult> {
  let fired: string[];
  try {
    const evaluation = await catalogue.evaluate(goldenCase.ruleset, goldenCase.facts);
    fired = evaluation.fired.map((f) => f.rule.id);
  } catch (error) {
    return { case: goldenCase, passed: false, fired: [], differences: [`evaluation failed: ${(error as Error).message}`] };
  }
  const expected = new Set(goldenCase.expectFired);
  const differences = [
    ...goldenCase.expectFired.filter((id) => !fired.includes(id)).map((id) => `expected ${id} to fire, it did not`),
    ...fired.filter((id) => !expected.has(id)).map((id) => `${id} fired, it was not expected`),
  ];
  return { case: goldenCase, passed: differences.length === 0, fired, differences };
}
