import type { CdsServiceDefinition } from './cds-hooks.schema';

export type CdsHook = 'patient-view' | 'order-select' | 'order-sign';

export interface CdsService extends CdsServiceDefinition {
  hook: CdsHook;
}

const LOINC = 'http://loinc.org';
const latest = (loinc: string) => `Observation?patient={{context.patientId}}&code=${LOINC}|${loinc}&_sort=-date&_count=1`;

/**
 * What the screening reads from the EHR, as CDS Hooks 2.0 prefetch templates (only
 * `{{context.patientId}}` tokens and the query features every client supports). Conditions and
 * procedures are fetched whole and filtered here: clients differ in the search parameters they honour.
 */
export const PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  conditions: 'Condition?patient={{context.patientId}}',
  bloodPressure: latest('85354-9'),
  bodyWeight: latest('29463-7'),
  bodyHeight: latest('8302-2'),
  medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
  procedures: 'Procedure?patient={{context.patientId}}',
} as const;
export type PrefetchKey = keyof typeof PREFETCH;

/** The services this deployment offers; the descriptions name the rule set version they run. */
export function cdsServices(rulesetVersion: string): CdsService[] {
  const rules = `Rule set ${rulesetVersion.slice(0, 12)}.`;
  return [
    {
      id: 'bfr-screening',
      hook: 'patient-view',
      title: 'BFR training: contraindication screen',
      description: `Screens the patient for blood-flow-restriction (BFR) training: conditions, medicines, blood pressure and recent surgery that rule it out or need review, and what is missing to decide. ${rules}`,
      usageRequirements:
        'For clinicians. Needs the Patient; best with the problem list, active medication orders, procedures and a blood pressure from the last 30 days. Data that is neither prefetched nor readable with fhirAuthorization is reported as not checked.',
      prefetch: { ...PREFETCH },
    },
    {
      id: 'bfr-protocol',
      hook: 'order-select',
      title: 'BFR training: protocol proposal',
      description: `When a BFR or exercise therapy order is selected, screens the patient and proposes BFR protocol variants as draft ServiceRequest and DeviceRequest orders, cuff pressure as % of limb occlusion pressure. ${rules}`,
      usageRequirements: 'For clinicians. The proposals are drafts to review and edit before signing.',
      prefetch: { ...PREFETCH },
    },
    {
      id: 'bfr-order-check',
      hook: 'order-sign',
      title: 'BFR training: final safety check',
      description: `Re-checks a BFR or exercise therapy order before it is signed; a critical card only for an absolute contraindication. ${rules}`,
      usageRequirements: 'For clinicians.',
      prefetch: { ...PREFETCH },
    },
  ];
}
