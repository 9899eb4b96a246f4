import type { GoldenSuite } from './rules/golden-cases';
import type { RulesetSpec } from './rules/ruleset-spec';
import { screeningGoldenSuite } from './screening/screening.golden';
import { screeningLimbRuleset, screeningRuleset, vtePointsRuleset } from './screening/screening.ruleset';

/** Every ruleset the service runs; a rule file for any other does not load. */
export const RULESET_SPECS: readonly RulesetSpec[] = [screeningRuleset, screeningLimbRuleset, vtePointsRuleset];

/** Every suite of golden cases in rules-data/. */
export const GOLDEN_SUITES: readonly GoldenSuite[] = [screeningGoldenSuite as GoldenSuite];
