import { z } from 'zod';

import type { RuleCatalogue } from '../../rules/catalogue';
import type { CatalogueCheck, CrossCheckProblem, DataSpec } from '../../rules/data-spec';
import { Evidence, type RuleCondition } from '../../rules/rule-file.schema';
import { LIMB_ITEMS, type LimbItem, PATIENT_ITEMS, type PatientItem } from '../../screening/screening-items';
import { fhirValueSets, type ValueSetResource } from './value-sets';

const PatientItemName = z.enum(Object.keys(PATIENT_ITEMS) as [PatientItem, ...PatientItem[]]);
const LimbItemName = z.enum(Object.keys(LIMB_ITEMS) as [LimbItem, ...LimbItem[]]);

/** Condition.clinicalStatus codes (R4 condition-clinical). */
export const ClinicalStatus = z.enum(['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved']);
export type ClinicalStatus = z.infer<typeof ClinicalStatus>;

const MedicationRequestStatus = z.enum([
  'active',
  'on-hold',
  'cancelled',
  'completed',
  'entered-in-error',
  'stopped',
  'draft',
  'unknown',
]);
const MedicationStatementStatus = z.enum([
  'active',
  'completed',
  'entered-in-error',
  'intended',
  'stopped',
  'on-hold',
  'unknown',
  'not-taken',
]);

/** What each mapping entry carries so a card can say why an EHR record answered an item. */
const mappingRule = {
  id: z
    .string()
    .regex(
      /^fhir\.[a-z0-9-]+(\.[a-z0-9-]+)*$/,
      'must start with "fhir." and be lower-case words joined by dots and hyphens',
    ),
  version: z.number().int().min(1),
  title: z.string().trim().min(5),
  rationale: z.string().trim().min(20),
  evidence: z.array(Evidence).min(1),
};

const ConditionMapping = z.strictObject({
  ...mappingRule,
  item: z.union([PatientItemName, LimbItemName]),
  valueSet: z.string().min(1),
  answersYesWhen: z.array(ClinicalStatus).min(1),
});
export type ConditionMapping = z.infer<typeof ConditionMapping>;

const MedicationMapping = z.strictObject({
  ...mappingRule,
  item: PatientItemName,
  valueSet: z.string().min(1),
  requestStatuses: z.array(MedicationRequestStatus).min(1),
  statementStatuses: z.array(MedicationStatementStatus).min(1),
  /** Ingredient names matched in Medication text or coding display when no code matches. */
  textMatches: z.array(z.string().trim().min(4)).min(1),
});
export type MedicationMapping = z.infer<typeof MedicationMapping>;

const ProcedureMapping = z.strictObject({
  ...mappingRule,
  item: z.literal('recentSurgery'),
  valueSet: z.string().min(1),
  windowDays: z.number().int().min(1).max(3650),
});
export type ProcedureMapping = z.infer<typeof ProcedureMapping>;

export const Measurement = z.enum(['blood-pressure', 'body-weight', 'body-height', 'limb-circumference', 'lop']);
export type Measurement = z.infer<typeof Measurement>;

const MeasurementMapping = z
  .strictObject({
    ...mappingRule,
    measurement: Measurement,
    /** A fixed limit, or the limit a screening or LOP rule applies, so the two never disagree. */
    maxAgeDays: z.number().int().min(0).optional(),
    maxAgeFrom: z.strictObject({ rule: z.string().min(1), condition: z.string().min(1) }).optional(),
  })
  .refine((m) => (m.maxAgeDays === undefined) !== (m.maxAgeFrom === undefined), 'give either maxAgeDays or maxAgeFrom');
export type MeasurementMapping = z.infer<typeof MeasurementMapping>;

const ScreeningAnswersMapping = z.strictObject({
  ...mappingRule,
  /** Answers older than this many days are not used: the items stay unknown. */
  maxAgeDays: z.number().int().min(0).max(365),
  /** Answers given on or before the day of the latest operation in the record describe the patient before it. */
  mustFollowLatestOperation: z.boolean(),
  /** Items whose answer holds for less time than the rest (0: the day it was given only). */
  itemMaxAgeDays: z.partialRecord(z.union([PatientItemName, LimbItemName]), z.number().int().min(0).max(365)),
});
export type ScreeningAnswersMapping = z.infer<typeof ScreeningAnswersMapping>;

const unique = <T extends { id: string }>(list: T[]) => new Set(list.map((m) => m.id)).size === list.length;

const FhirMappingFile = z
  .strictObject({
    title: z.string().trim().min(3),
    description: z.string().trim().min(10),
    conditions: z.array(ConditionMapping).min(1),
    medications: z.array(MedicationMapping).min(1),
    procedures: z.array(ProcedureMapping).min(1),
    /** How old the clinician's screening questionnaire answers kept in the EHR may be. */
    screeningAnswers: ScreeningAnswersMapping,
    measurements: z
      .array(MeasurementMapping)
      .refine(
        (list) => Measurement.options.every((m) => list.filter((e) => e.measurement === m).length === 1),
        `needs exactly one entry for each of ${Measurement.options.join(', ')}`,
      ),
  })
  .refine(
    (file) =>
      unique([
        ...file.conditions,
        ...file.medications,
        ...file.procedures,
        file.screeningAnswers,
        ...file.measurements,
      ]),
    'uses the same mapping id twice',
  );
export type FhirMappingFile = z.infer<typeof FhirMappingFile>;

/** `rules-data/fhir-mapping.data.json`: how EHR records answer screening items and which data and answers are too old. */
export const fhirMapping: DataSpec<FhirMappingFile> = {
  name: 'fhir-mapping',
  schema: FhirMappingFile,
  sourced: (file) => ({
    title: file.title,
    description: file.description,
    entries: [
      ...file.conditions,
      ...file.medications,
      ...file.procedures,
      file.screeningAnswers,
      ...file.measurements,
    ].map(({ id, version, title, rationale, evidence, ...settings }) => ({
      id,
      version,
      title,
      rationale,
      evidence,
      settings,
    })),
  }),
};

function comparisons(node: RuleCondition): RuleCondition[] {
  const children = node.all ?? node.any;
  if (children) {
    return children.flatMap(comparisons);
  }
  return node.not ? comparisons(node.not) : [node];
}

/** The oldest whole-day age a rule condition still accepts: it fires above that. */
function acceptedAge(condition: RuleCondition): number | undefined {
  const value = condition.value;
  if (typeof value === 'number' && condition.operator === 'greaterThan') {
    return value;
  }
  if (typeof value === 'number' && condition.operator === 'greaterThanInclusive') {
    return value - 1;
  }
  const band = value as { atLeast?: unknown; below?: unknown } | undefined;
  if (condition.operator === 'inBand' && typeof band?.atLeast === 'number' && band.below === undefined) {
    return band.atLeast - 1;
  }
  return undefined;
}

function resolveMaxAge(catalogue: RuleCatalogue, entry: MeasurementMapping): { days?: number; problem?: string } {
  if (entry.maxAgeDays !== undefined) {
    return { days: entry.maxAgeDays };
  }
  const { rule: ruleId, condition: name } = entry.maxAgeFrom!;
  const found = catalogue.rule(ruleId);
  if (!found) {
    return { problem: `names rule "${ruleId}", which does not exist` };
  }
  const condition = comparisons(found.rule.conditions).find((c) => c.name === name);
  if (!condition) {
    return { problem: `rule "${ruleId}" has no condition named "${name}"` };
  }
  const days = acceptedAge(condition);
  return days === undefined
    ? {
        problem: `condition "${name}" of rule "${ruleId}" is not an upper age limit (greaterThan, greaterThanInclusive or inBand with atLeast only)`,
      }
    : { days };
}

/** How old each measurement may be, in days, read from the mapping or from the rule it names. */
export function maxAgeDays(catalogue: RuleCatalogue, measurement: Measurement): number {
  const entry = catalogue.table(fhirMapping).measurements.find((m) => m.measurement === measurement)!;
  const { days, problem } = resolveMaxAge(catalogue, entry);
  if (days === undefined) {
    throw new Error(`fhir-mapping.data.json ${entry.id}: ${problem}`);
  }
  return days;
}

/** The value set a mapping names; the catalogue check guarantees it exists. */
export function valueSet(catalogue: RuleCatalogue, url: string): ValueSetResource {
  const found = catalogue.table(fhirValueSets).entry.find((e) => e.resource.url === url);
  if (!found) {
    throw new Error(`no value set ${url} in fhir-value-sets.data.json`);
  }
  return found.resource;
}

/** Every value set and rule the mapping names must exist, and a rule it borrows an age limit from must state one. */
export const fhirMappingReferences: CatalogueCheck = (catalogue: RuleCatalogue) => {
  const problems: CrossCheckProblem[] = [];
  const file = 'fhir-mapping.data.json';
  const mapping = catalogue.table(fhirMapping);
  const urls = new Set(catalogue.table(fhirValueSets).entry.map((e) => e.resource.url));
  const groups = { conditions: mapping.conditions, medications: mapping.medications, procedures: mapping.procedures };
  for (const [group, entries] of Object.entries(groups)) {
    entries.forEach((entry, i) => {
      if (!urls.has(entry.valueSet)) {
        problems.push({
          file,
          rule: entry.id,
          field: `${group}.${i}.valueSet`,
          message: `"${entry.valueSet}" is not in fhir-value-sets.data.json`,
        });
      }
    });
  }
  mapping.measurements.forEach((entry, i) => {
    const { problem } = resolveMaxAge(catalogue, entry);
    if (problem) {
      problems.push({ file, rule: entry.id, field: `measurements.${i}.maxAgeFrom`, message: problem });
    }
  });
  return problems;
};
