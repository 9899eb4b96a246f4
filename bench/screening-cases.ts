import { z } from 'zod';

import { loadGoldenCases } from '../src/rules/golden-cases';
import { GOLDEN_SUITES } from '../src/rulesets';
import { screeningGoldenSuite } from '../src/screening/screening.golden';

export type ScreeningCase = z.infer<typeof screeningGoldenSuite.case>;

/** The screening suite's golden cases from `rulesDir`, as validated by the loader; at least one. */
export function loadScreeningCases(rulesDir: string): ScreeningCase[] {
  const suite = loadGoldenCases(rulesDir, GOLDEN_SUITES).find(
    (loaded) => loaded.suite.name === screeningGoldenSuite.name,
  );
  if (!suite || suite.cases.length === 0) {
    throw new Error(`no ${screeningGoldenSuite.name} golden cases in ${rulesDir}`);
  }
  // loadGoldenCases parsed every case with this suite's schema.
  return suite.cases as ScreeningCase[];
}
