/**
 * Validates every file in rules-data/, runs the golden cases and checks the compiled rules against
 * json-rules-engine (every evaluation of the golden cases, and RULES_CHECK_RUNS generated fact sets
 * per ruleset, 10,000 unless set). Exits non-zero on any problem, so a rule edit that breaks the
 * data or changes an expected outcome is caught before it ships.
 */
import { resolve } from 'node:path';

import { type Disagreement, generatedDisagreements, goldenCaseDisagreements } from '../src/rules/differential';
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

  const runs = Number(process.env.RULES_CHECK_RUNS ?? 10_000);
  const golden = await goldenCaseDisagreements(catalogue, suites);
  console.log(
    `compiled rules against json-rules-engine: ${golden.evaluations} evaluations of the golden cases, ${golden.disagreements.length} disagreements`,
  );
  const disagreements: Disagreement[] = [...golden.disagreements];
  for (const check of await generatedDisagreements(catalogue, runs)) {
    console.log(
      `  ${check.ruleset}: ${check.factSets} generated fact sets, ${check.rulesFired} of ${check.rules} rules fired, ${check.disagreements.length} disagreements`,
    );
    disagreements.push(...check.disagreements);
  }
  for (const d of disagreements.slice(0, 20)) {
    console.error(`DIFFERS ${d.ruleset}: ${d.difference}\n  facts ${JSON.stringify(d.facts)}`);
  }
  console.log(`ruleset version ${catalogue.version}`);
  return failed.length === 0 && disagreements.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
