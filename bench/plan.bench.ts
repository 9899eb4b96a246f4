import { generatePlan } from '../src/prescription/generate-plan';
import { loadRuleCatalogue } from '../src/rulesets';
import { type EngineBenchOptions, type EngineBenchResult, timeRuns } from './engine.bench';
import { loadPlanCases } from './prescription-cases';

/**
 * Times `generatePlan` in-process on the shipped rules, cycling through the prescription golden
 * cases that make a plan: screening, selection, LOP, dosing, schedule and the envelope.
 */
export async function benchPlans({
  rulesDir,
  warmupRuns = 500,
  measuredRuns = 3_000,
}: EngineBenchOptions): Promise<EngineBenchResult> {
  const catalogue = loadRuleCatalogue(rulesDir);
  const cases = loadPlanCases(rulesDir);
  const timing = await timeRuns(cases, ({ request, generatedOn }) => generatePlan(catalogue, request, generatedOn), {
    warmupRuns,
    measuredRuns,
  });
  return {
    rulesets: ['vte-points', 'screening', 'screening-limb', 'selection', 'lop', 'dosing', 'schedule'],
    cases: cases.length,
    ...timing,
  };
}
