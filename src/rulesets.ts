import type { RulesetSpec } from './rules/ruleset-spec';
import { screeningRuleset } from './screening/screening.ruleset';

/** Every ruleset the service runs; a rule file for any other does not load. */
export const RULESET_SPECS: readonly RulesetSpec[] = [screeningRuleset];
