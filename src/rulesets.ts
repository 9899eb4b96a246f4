import { fhirMapping, fhirMappingReferences } from './ehr/fhir/fhir-mapping';
import { questionnaireText } from './ehr/fhir/questionnaire-text';
import { questionnaireWordingComplete } from './ehr/fhir/screening-questionnaire';
import { fhirValueSets } from './ehr/fhir/value-sets';
import { handoutText, translationsComplete } from './handout/handout-text';
import { exerciseCatalogue } from './prescription/exercise-catalogue';
import { lopEquations } from './prescription/lop-equations';
import { lopPositions } from './prescription/lop-positions';
import { prescriptionReferences } from './prescription/prescription.checks';
import { prescriptionGoldenSuite } from './prescription/prescription.golden';
import { dosingRuleset, lopRuleset, scheduleRuleset, selectionRuleset } from './prescription/prescription.rulesets';
import type { RuleCatalogue } from './rules/catalogue';
import type { CatalogueCheck, DataSpec } from './rules/data-spec';
import type { GoldenSuite } from './rules/golden-cases';
import { loadRules } from './rules/loader';
import type { RulesetSpec } from './rules/ruleset-spec';
import { screeningGoldenSuite } from './screening/screening.golden';
import { screeningLimbRuleset, screeningRuleset, vtePointsRuleset } from './screening/screening.ruleset';

/** Every ruleset the service runs; a rule file for any other does not load. */
export const RULESET_SPECS: readonly RulesetSpec[] = [
  screeningRuleset,
  screeningLimbRuleset,
  vtePointsRuleset,
  selectionRuleset,
  dosingRuleset,
  scheduleRuleset,
  lopRuleset,
];

/** Every data table of rules-data/ the rules refer to. */
export const DATA_SPECS: readonly DataSpec[] = [
  exerciseCatalogue as DataSpec,
  lopEquations as DataSpec,
  lopPositions as DataSpec,
  handoutText as DataSpec,
  fhirValueSets as DataSpec,
  fhirMapping as DataSpec,
  questionnaireText as DataSpec,
];

/** Checks across files, run once everything has loaded. */
export const CATALOGUE_CHECKS: readonly CatalogueCheck[] = [
  prescriptionReferences,
  translationsComplete,
  fhirMappingReferences,
  questionnaireWordingComplete,
];

/** Every suite of golden cases in rules-data/. */
export const GOLDEN_SUITES: readonly GoldenSuite[] = [
  screeningGoldenSuite as GoldenSuite,
  prescriptionGoldenSuite as GoldenSuite,
];

/** Loads rules-data/ with every spec, table and check the service knows. */
export function loadRuleCatalogue(dir: string): RuleCatalogue {
  return loadRules({ dir, specs: RULESET_SPECS, data: DATA_SPECS, checks: CATALOGUE_CHECKS });
}
