import { BFR, BFR_SYSTEM, SNOMED } from '../fhir/codes';
import { QUESTIONNAIRE_URL } from '../fhir/screening-questionnaire';
import { INDICATION_SYSTEM, ORDER_DETAIL_SYSTEM } from './bfr-orders';
import type { CdsServiceDefinition } from './cds-hooks.schema';

export type CdsHook = 'patient-view' | 'order-select' | 'order-sign';

export interface CdsService extends CdsServiceDefinition {
  hook: CdsHook;
}

const LOINC = 'http://loinc.org';
const latest = (loinc: string) =>
  `Observation?patient={{context.patientId}}&code=${LOINC}|${loinc}&_sort=-date&_count=1`;
const SCREENING_KEYS = [
  'patient',
  'conditions',
  'bloodPressure',
  'bodyWeight',
  'bodyHeight',
  'medications',
  'procedures',
  'screeningAnswers',
] as const;

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
  /** The clinician's answers to the bfr-rx screening Questionnaire, when the EHR keeps them: the only source of "no". */
  screeningAnswers: `QuestionnaireResponse?patient={{context.patientId}}&questionnaire=${QUESTIONNAIRE_URL}&_sort=-authored&_count=1`,
  /** Measured limb occlusion pressures and limb circumferences (newest per site is used): only a protocol needs them. */
  lop: `Observation?patient={{context.patientId}}&code=${BFR_SYSTEM}|${BFR.lop.code}&_sort=-date`,
  limbCircumference: `Observation?patient={{context.patientId}}&code=${SNOMED.lowerLimbCircumference.system}|${SNOMED.lowerLimbCircumference.code}&_sort=-date`,
} as const;
export type PrefetchKey = keyof typeof PREFETCH;

const templates = (keys: readonly PrefetchKey[]) => Object.fromEntries(keys.map((key) => [key, PREFETCH[key]]));

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
        "For clinicians. Needs the Patient; best with the problem list, active medication orders, procedures, a recent blood pressure and the clinician's answers to the bfr-rx screening Questionnaire (GET /v1/screenings/questionnaire). An EHR record can only say yes: without the answers the screening stays incomplete. Data that is neither prefetched nor readable with fhirAuthorization is reported as not checked.",
      prefetch: templates(SCREENING_KEYS),
    },
    {
      id: 'bfr-protocol',
      hook: 'order-select',
      title: 'BFR training: protocol proposal',
      description: `When a BFR or exercise therapy order is selected, screens the patient and proposes BFR protocol variants as draft ServiceRequest and DeviceRequest orders, cuff pressure as % of limb occlusion pressure. ${rules}`,
      usageRequirements: `For clinicians. The selected ServiceRequest says what it treats (reasonCode from ${INDICATION_SYSTEM}), where the cuff goes (bodySite, bfr-rx cuff-site codes) and the weight bearing allowed (orderDetail from ${ORDER_DETAIL_SYSTEM}); the record gives the screening answers, the operation or onset and a measured LOP per site. The proposals are draft orders to review, edit and sign.`,
      prefetch: templates([...SCREENING_KEYS, 'lop', 'limbCircumference']),
    },
    {
      id: 'bfr-order-check',
      hook: 'order-sign',
      title: 'BFR training: final safety check',
      description: `Re-checks a BFR or exercise therapy order before it is signed; a critical card only for an absolute contraindication. ${rules}`,
      usageRequirements: 'For clinicians.',
      prefetch: templates(SCREENING_KEYS),
    },
  ];
}
