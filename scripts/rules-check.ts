/**
 * Validates every file in rules-data/ and runs the golden cases. Exits non-zero on any problem, so
 * a rule edit that breaks the data or changes an expected outcome is caught before it ships.
 */
import { resolve } from 'node:path';

import { runGoldenCase } from '../src/rules/golden-cases';
import { loadRules, RulesetInvalidError } from '../src/rules/loader';
import { RULESET_SPECS } from '../src/rulesets';

async function main(): Promise<number> {
  const dir = resolve(process.argv[2] ?? 'rules-data');
  let loaded;
  try {
    loaded = loadRules({ dir, specs: RULESET_SPECS });
  } catch (error) {
    if (error instanceof RulesetInvalidError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const { catalogue, goldenCases } = loaded;
  for (const name of catalogue.rulesetNames) {
    console.log(`ruleset ${name}: ${catalogue.ruleset(name)?.rules.length} rules`);
  }
  let failed = 0;
  for (const goldenCase of goldenCases) {
    const result = await runGoldenCase(catalogue, goldenCase);
    if (!result.passed) {
      failed += 1;
      console.error(`FAIL ${goldenCase.file} › ${goldenCase.name}\n${result.differences.map((d) => `  - ${d}`).join('\n')}`);
    }
  }
  console.log(`golden cases: ${goldenCases.length - failed} passed, ${failed} failed`);
  console.log(`ruleset version ${catalogue.version}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
