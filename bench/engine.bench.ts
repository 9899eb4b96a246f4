import { loadRules } from '../src/rules/loader';
import { RULESET_SPECS } from '../src/rulesets';
import { screenPatient } from '../src/screening/screen-patient';
import { loadScreeningCases } from './screening-cases';

/** The rulesets one screenPatient call evaluates (screening-limb once per cuff site). */
const RULESETS = ['vte-points', 'screening', 'screening-limb'] as const;

export interface EngineBenchOptions {
  rulesDir: string;
  warmupRuns?: number;
  measuredRuns?: number;
}

export interface EngineBenchResult {
  rulesets: readonly string[];
  cases: number;
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
 * Times `screenPatient` in-process on the shipped rules, one run at a time, cycling through the
 * screening golden cases' requests (each on its own `screenedOn`) so every rule path is exercised.
 */
export async function benchEngine({ rulesDir, warmupRuns = 1_000, measuredRuns = 5_000 }: EngineBenchOptions): Promise<EngineBenchResult> {
  const catalogue = loadRules({ dir: rulesDir, specs: RULESET_SPECS });
  const cases = loadScreeningCases(rulesDir);

  // Lets the JIT settle before anything is timed.
  for (let i = 0; i < warmupRuns; i++) {
    const { request, screenedOn } = cases[i % cases.length];
    await screenPatient(catalogue, request, screenedOn);
  }

  const durationsMs: number[] = new Array(measuredRuns);
  const started = process.hrtime.bigint();
  for (let i = 0; i < measuredRuns; i++) {
    const { request, screenedOn } = cases[i % cases.length];
    const runStarted = process.hrtime.bigint();
    await screenPatient(catalogue, request, screenedOn);
    durationsMs[i] = Number(process.hrtime.bigint() - runStarted) / 1e6;
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  durationsMs.sort((a, b) => a - b);
  return {
    rulesets: RULESETS,
    cases: cases.length,
    runs: measuredRuns,
    runsPerSecond: measuredRuns / totalSeconds,
    p50Ms: percentile(durationsMs, 50),
    p90Ms: percentile(durationsMs, 90),
    p99Ms: percentile(durationsMs, 99),
  };
}
