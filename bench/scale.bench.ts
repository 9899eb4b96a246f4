import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generatePlan } from '../src/prescription/generate-plan';
import type { RuleCatalogue } from '../src/rules/catalogue';
import type { RuleCondition, RuleDefinition } from '../src/rules/rule-file.schema';
import { loadRuleCatalogue } from '../src/rulesets';
import { type EngineBenchResult, timeRuns } from './engine.bench';
import { loadPlanCases } from './prescription-cases';

/** The first comparison of a condition tree. */
function firstComparison(node: RuleCondition): RuleCondition {
  const children = node.all ?? node.any ?? (node.not ? [node.not] : undefined);
  return children ? firstComparison(children[0]) : node;
}

/**
 * A copy of rules-data/ with `factor` times the rules in every ruleset: each rule gets
 * `factor - 1` copies under new ids that hold all of its conditions plus one that never holds (a
 * fact `in` an empty list), so every copy is evaluated in full, traced, and never
 * fires: the plans stay the same and only the rule count grows.
 */
export function scaledRulesData(rulesDir: string, factor: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-rules-x'));
  cpSync(rulesDir, dir, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rules.json'))) {
    const content = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { rules: RuleDefinition[] };
    const copies = content.rules.flatMap((rule) =>
      Array.from({ length: factor - 1 }, (_, i): RuleDefinition => {
        const fact = firstComparison(rule.conditions).fact as string;
        return {
          ...rule,
          id: `${rule.id}.copy${i + 1}`,
          conditions: { all: [rule.conditions, { name: 'never', fact, operator: 'in', value: [] }] },
        };
      }),
    );
    content.rules.push(...copies);
    writeFileSync(join(dir, file), JSON.stringify(content));
  }
  return dir;
}

export interface ScaleBenchResult {
  factor: number;
  rules: { shipped: number; scaled: number };
  /** `generatePlan` alone, and with its trace serialised as the service stores it. */
  plan: { shipped: EngineBenchResult; scaled: EngineBenchResult };
  planWithTrace: { shipped: EngineBenchResult; scaled: EngineBenchResult };
}

/** Times `generatePlan`, without and with its trace, on the shipped rules and on `factor` times as many, in the same run. */
export async function benchScale({
  rulesDir,
  factor = 10,
  warmupRuns = 300,
  measuredRuns = 1_500,
}: {
  rulesDir: string;
  factor?: number;
  warmupRuns?: number;
  measuredRuns?: number;
}): Promise<ScaleBenchResult> {
  const cases = loadPlanCases(rulesDir);
  const scaledDir = scaledRulesData(rulesDir, factor);
  try {
    const shipped = loadRuleCatalogue(rulesDir);
    const scaled = loadRuleCatalogue(scaledDir);
    const measure = async (catalogue: RuleCatalogue, withTrace: boolean): Promise<EngineBenchResult> => {
      const timing = await timeRuns(
        cases,
        async ({ request, generatedOn }) => {
          const generated = await generatePlan(catalogue, request, generatedOn);
          return withTrace ? JSON.stringify(generated.trace) : generated;
        },
        { warmupRuns, measuredRuns },
      );
      return { rulesets: catalogue.rulesetNames, cases: cases.length, ...timing };
    };
    return {
      factor,
      rules: { shipped: shipped.allRules().length, scaled: scaled.allRules().length },
      plan: { shipped: await measure(shipped, false), scaled: await measure(scaled, false) },
      planWithTrace: { shipped: await measure(shipped, true), scaled: await measure(scaled, true) },
    };
  } finally {
    rmSync(scaledDir, { recursive: true, force: true });
  }
}
