import type { z } from 'zod';

import { prescriptionGoldenSuite } from '../src/prescription/prescription.golden';
import { loadGoldenCases } from '../src/rules/golden-cases';
import { GOLDEN_SUITES } from '../src/rulesets';

export type PrescriptionCase = z.infer<typeof prescriptionGoldenSuite.case>;

/** The prescription golden cases of `rulesDir` that end in a plan: the mix a clinic sends. */
export function loadPlanCases(rulesDir: string): PrescriptionCase[] {
  const suite = loadGoldenCases(rulesDir, GOLDEN_SUITES).find(
    (loaded) => loaded.suite.name === prescriptionGoldenSuite.name,
  );
  const cases = ((suite?.cases ?? []) as PrescriptionCase[]).filter((c) => c.expect.outcome === 'plan');
  if (cases.length === 0) {
    throw new Error(`no ${prescriptionGoldenSuite.name} golden cases that make a plan in ${rulesDir}`);
  }
  return cases;
}
