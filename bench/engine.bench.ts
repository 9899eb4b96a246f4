import { loadRules } from '../src/rules/loader';
import { RULESET_SPECS } from '../src/rulesets';

const RULESET = 'screening';

export interface EngineBenchOptions {
  rulesDir: string;
  warmupRuns?: number;
  measuredRuns?: number;
}

export interface EngineBenchResult {
  ruleset: string;
  factSets: number;
  runs: number;
  runsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Times `catalogue.evaluate` in-process on the shipped screening rules, one run at a time, cycling
 * through the golden-case fact sets so every rule path is exercised.
 */
export async function benchEngine({ rulesDir, warmupRuns = 1_000, measuredRuns = 5_000 }: EngineBenchOptions): Promise<EngineBenchResult> {
  const { catalogue, goldenCases } = loadRules({ dir: rulesDir, specs: RULESET_SPECS });
  const factSets = goldenCases.filter((c) => c.ruleset === RULESET).map((c) => c.facts);
  if (factSets.length === 0) {
    throw new Error(`no golden cases for the ${RULESET} ruleset in ${rulesDir}`);
  }

  // Lets the JIT settle before anything is timed.
  for (let i = 0; i < warmupRuns; i++) {
    await catalogue.evaluate(RULESET, factSets[i % factSets.length]);
  }

  const durationsMs: number[] = new Array(measuredRuns);
  const started = process.hrtime.bigint();
  for (let i = 0; i < measuredRuns; i++) {
    const runStarted = process.hrtime.bigint();
    await catalogue.evaluate(RULESET, factSets[i % factSets.length]);
    durationsMs[i] = Number(process.hrtime.bigint() - runStarted) / 1e6;
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  durationsMs.sort((a, b) => a - b);
  return {
    ruleset: RULESET,
    factSets: factSets.length,
    runs: measuredRuns,
    runsPerSecond: measuredRuns / totalSeconds,
    p50Ms: percentile(durationsMs, 50),
    p90Ms: percentile(durationsMs, 90),
    p99Ms: percentile(durationsMs, 99),
  };
}
