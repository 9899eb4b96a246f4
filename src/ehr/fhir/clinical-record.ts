import type {
  Condition,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';

import { field, list, referenceTo } from './record-values';

/** What an EHR gave us about one patient, sorted by kind. */
export interface ClinicalRecord {
  patient?: Patient;
  conditions: Condition[];
  observations: Observation[];
  medications: Array<MedicationRequest | MedicationStatement>;
  procedures: Procedure[];
  /** Medication resources that orders and statements refer to (`medicationReference`). */
  medicationResources: Medication[];
}

/**
 * Sorts resources into a clinical record: single resources, Bundles (searchset, collection) and
 * their entries, as CDS Hooks prefetch values or a FHIR search give them. The same resource given
 * twice is kept once. OperationOutcomes (a client's failed prefetch), nulls and other resource types
 * are left out: they answer nothing.
 */
export function clinicalRecordFrom(resources: ReadonlyArray<Resource | null | undefined>): ClinicalRecord {
  const record: ClinicalRecord = {
    conditions: [],
    observations: [],
    medications: [],
    procedures: [],
    medicationResources: [],
  };
  const seen = new Set<string>();
  const add = (resource: unknown): void => {
    const type = field(resource, 'resourceType');
    if (type === 'Bundle') {
      list(field(resource, 'entry')).forEach((entry) => add(field(entry, 'resource')));
      return;
    }
    if (typeof type !== 'string') {
      return;
    }
    const key = referenceTo(resource);
    if (field(resource, 'id') !== undefined && seen.has(key)) {
      return;
    }
    seen.add(key);
    switch (type) {
      case 'Patient':
        record.patient ??= resource as Patient;
        break;
      case 'Condition':
        record.conditions.push(resource as Condition);
        break;
      case 'Observation':
        record.observations.push(resource as Observation);
        break;
      case 'MedicationRequest':
      case 'MedicationStatement':
        record.medications.push(resource as MedicationRequest | MedicationStatement);
        list(field(resource, 'contained')).forEach((contained) => {
          if (field(contained, 'resourceType') === 'Medication') {
            record.medicationResources.push({ ...(contained as Medication), id: `${key}#${field(contained, 'id')}` });
          }
        });
        break;
      case 'Procedure':
        record.procedures.push(resource as Procedure);
        break;
      case 'Medication':
        record.medicationResources.push(resource as Medication);
        break;
    }
  };
  resources.forEach(add);
  return record;
}
