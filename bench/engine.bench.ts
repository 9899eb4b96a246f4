import { loadRuleCatalogue } from '../src/rulesets';
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
 * Runs `run` over the cases in turn, one at a time: first untimed so the JIT settles, then timed
 * run by run.
 */
export async function timeRuns<C>(
  cases: readonly C[],
  run: (goldenCase: C) => Promise<unknown>,
  { warmupRuns, measuredRuns }: { warmupRuns: number; measuredRuns: number },
): Promise<Omit<EngineBenchResult, 'rulesets' | 'cases'>> {
  for (let i = 0; i < warmupRuns; i++) {
    await run(cases[i % cases.length]);
  }
  const durationsMs: number[] = new Array(measuredRuns);
  const started = process.hrtime.bigint();
  for (let i = 0; i < measuredRuns; i++) {
    const runStarted = process.hrtime.bigint();
    await run(cases[i % cases.length]);
    durationsMs[i] = Number(process.hrtime.bigint() - runStarted) / 1e6;
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  durationsMs.sort((a, b) => a - b);
  return {
    runs: measuredRuns,
    runsPerSecond: measuredRuns / totalSeconds,
    p50Ms: percentile(durationsMs, 50),
    p90Ms: percentile(durationsMs, 90),
    p99Ms: percentile(durationsMs, 99),
  };
}

/**
 * Times `screenPatient` in-process on the shipped rules, cycling through the screening golden
 * cases' requests (each on its own `screenedOn`) so every rule path is exercised.
 */
export async function benchEngine({
  rulesDir,
  warmupRuns = 1_000,
  measuredRuns = 5_000,
}: EngineBenchOptions): Promise<EngineBenchResult> {
  const catalogue = loadRuleCatalogue(rulesDir);
  const cases = loadScreeningCases(rulesDir);
  const timing = await timeRuns(cases, ({ request, screenedOn }) => screenPatient(catalogue, request, screenedOn), {
    warmupRuns,
    measuredRuns,
  });
  return { rulesets: RULESETS, cases: cases.length, ...timing };
}
