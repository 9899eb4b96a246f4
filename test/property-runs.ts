/**
 * How hard the property tests search: fast-check's default of 100 runs a property in `npm test`;
 * `FC_RUNS=2000 npm test -- src/screening` searches deeper. A property whose runs are costly (a
 * whole simulated session each) takes a share of that, and a test's time budget grows with it.
 */
const DEFAULT_RUNS = 100;

function configuredRuns(): number {
  const raw = process.env.FC_RUNS;
  if (raw === undefined || raw.trim() === '') {
    return DEFAULT_RUNS;
  }
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`FC_RUNS must be a whole number of runs, at least 1 (got "${raw}")`);
  }
  return runs;
}

export const PROPERTY_RUNS = configuredRuns();

/** Runs for a property: FC_RUNS (default 100) times `share`, at least one. */
export function propertyRuns(share = 1): number {
  return Math.max(1, Math.round(PROPERTY_RUNS * share));
}

/** A jest time budget given for the default 100 runs, grown in proportion to a deeper search. */
export function propertyTimeoutMs(atDefaultRuns: number): number {
  return Math.max(atDefaultRuns, Math.ceil((atDefaultRuns * PROPERTY_RUNS) / DEFAULT_RUNS));
}
