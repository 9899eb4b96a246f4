/**
 * Validates every file in rules-data/ and runs the golden cases. Exits non-zero on any problem, so
 * a rule edit that breaks the data or changes an expected outcome is caught before it ships.
 */
import { resolve } from 'node:path';

import { loadGoldenCases, runGoldenCases } from '../src/rules/golden-cases';
import { RulesetInvalidError } from '../src/rules/loader';
import { GOLDEN_SUITES, loadRuleCatalogue } from '../src/rulesets';

async function main(): Promise<number> {
  const dir = resolve(process.argv[2] ?? 'rules-data');
  let catalogue;
  let suites;
  try {
    catalogue = loadRuleCatalogue(dir);
    suites = loadGoldenCases(dir, GOLDEN_SUITES);
  } catch (error) {
    if (error instanceof RulesetInvalidError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  for (const name of catalogue.rulesetNames) {
    console.log(`ruleset ${name}: ${catalogue.ruleset(name)?.rules.length} rules`);
  }
  const results = await runGoldenCases(catalogue, suites);
  const failed = results.filter((r) => !r.passed);
  for (const result of failed) {
    console.error(`FAIL ${result.file} › ${result.name}\n${result.differences.map((d) => `  - ${d}`).join('\n')}`);
  }
  console.log(`golden cases: ${results.length - failed.length} passed, ${failed.length} failed`);
  console.log(`ruleset version ${catalogue.version}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
