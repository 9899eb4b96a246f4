import type {
  CodeableConcept,
  Coding,
  Condition,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
} from '@medplum/fhirtypes';

import { SCREENED_ON } from './factories';

/**
 * EHR records of the test patient, with every code pinned with its display. The codes are the ones
 * checked against official sources (see the value sets' `purpose`); a fixture never invents one.
 */
export const CODE = {
  dvt: { system: 'http://snomed.info/sct', code: '128053003', display: 'Deep venous thrombosis' },
  dvtIcd: {
    system: 'http://hl7.org/fhir/sid/icd-10-cm',
    code: 'I82.409',
    display: 'Acute embolism and thrombosis of unspecified deep veins of unspecified lower extremity',
  },
  pregnancy: { system: 'http://snomed.info/sct', code: '77386006', display: 'Pregnancy' },
  sickleCell: {
    system: 'http://hl7.org/fhir/sid/icd-10-cm',
    code: 'D57.1',
    display: 'Sickle-cell disease without crisis',
  },
  sickleCellTrait: { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'D57.3', display: 'Sickle-cell trait' },
  varicoseVeins: { system: 'http://snomed.info/sct', code: '72866009', display: 'Varicose veins of lower extremity' },
  lymphoedema: { system: 'http://snomed.info/sct', code: '234097001', display: 'Lymphedema' },
  hypertension: {
    system: 'http://snomed.info/sct',
    code: '38341003',
    display: 'Hypertensive disorder, systemic arterial',
  },
  warfarin: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '11289', display: 'warfarin' },
  apixaban: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1364430', display: 'apixaban' },
  rivaroxabanAtc: { system: 'http://www.whocc.no/atc', code: 'B01AF01', display: 'rivaroxaban' },
  clopidogrelAtc: { system: 'http://www.whocc.no/atc', code: 'B01AC04', display: 'clopidogrel' },
  surgicalProcedure: { system: 'http://snomed.info/sct', code: '387713003', display: 'Surgical procedure' },
  bpPanel: { system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' },
  systolic: { system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' },
  diastolic: { system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' },
  bodyWeight: { system: 'http://loinc.org', code: '29463-7', display: 'Body weight' },
  bodyHeight: { system: 'http://loinc.org', code: '8302-2', display: 'Body height' },
  left: { system: 'http://snomed.info/sct', code: '7771000', display: 'Left' },
} as const satisfies Record<string, Coding>;

const concept = (...coding: Coding[]): CodeableConcept => ({ coding: [...coding] });
const subject = { reference: 'Patient/pat-7' };

export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    id: 'pat-7',
    identifier: [
      {
        type: concept({
          system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
          code: 'MR',
          display: 'Medical record number',
        }),
        value: 'mrn-1001',
      },
    ],
    birthDate: '1992-03-14',
    gender: 'male',
    ...overrides,
  };
}

export function condition(
  id: string,
  code: Coding,
  clinicalStatus: string | null = 'active',
  overrides: Partial<Condition> = {},
): Condition {
  return {
    resourceType: 'Condition',
    id,
    ...(clinicalStatus
      ? {
          clinicalStatus: concept({
            system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
            code: clinicalStatus,
          }),
        }
      : {}),
    verificationStatus: concept({
      system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
      code: 'confirmed',
    }),
    code: concept(code),
    subject,
    recordedDate: '2025-06-02',
    ...overrides,
  };
}

export const verification = (code: string): CodeableConcept =>
  concept({ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code });

const mmHg = (value: number) => ({ value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
const vitalSigns = [
  concept({
    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
    code: 'vital-signs',
    display: 'Vital Signs',
  }),
];

export function bloodPressure(
  id: string,
  systolic: number,
  diastolic: number,
  on: string = SCREENED_ON,
  overrides: Partial<Observation> = {},
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: vitalSigns,
    code: concept(CODE.bpPanel),
    subject,
    effectiveDateTime: `${on}T08:30:00Z`,
    component: [
      { code: concept(CODE.systolic), valueQuantity: mmHg(systolic) },
      { code: concept(CODE.diastolic), valueQuantity: mmHg(diastolic) },
    ],
    ...overrides,
  };
}

export function quantityObservation(
  id: string,
  code: Coding,
  value: number,
  unit: string,
  on: string = SCREENED_ON,
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: vitalSigns,
    code: concept(code),
    subject,
    effectiveDateTime: `${on}T08:30:00Z`,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  };
}

export function medicationRequest(
  id: string,
  status: MedicationRequest['status'],
  medication: Partial<MedicationRequest> = {},
): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject,
    authoredOn: '2026-09-01',
    ...medication,
  };
}

export function medicationStatement(
  id: string,
  status: MedicationStatement['status'],
  medication: Partial<MedicationStatement> = {},
): MedicationStatement {
  return { resourceType: 'MedicationStatement', id, status, subject, effectiveDateTime: '2026-08-15', ...medication };
}

export function medication(id: string, overrides: Partial<Medication> = {}): Medication {
  return { resourceType: 'Medication', id, ...overrides };
}

export function surgery(
  id: string,
  on: string,
  status: Procedure['status'] = 'completed',
  overrides: Partial<Procedure> = {},
): Procedure {
  return {
    resourceType: 'Procedure',
    id,
    status,
    category: concept(CODE.surgicalProcedure),
    code: { text: 'Arthroscopic reconstruction of anterior cruciate ligament' },
    subject,
    performedDateTime: on,
    ...overrides,
  };
}

export { concept };

const ANSWER_SYSTEM = 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-screening-answer';
type QrItem = { linkId: string; answer?: Array<Record<string, unknown>>; item?: QrItem[] };

const answerOf = (value: unknown, linkId: string): Record<string, unknown> => {
  if (linkId === 'patient.sex')
    return { valueCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: value } };
  if (typeof value === 'number')
    return Number.isInteger(value) && linkId.startsWith('bloodPressure.')
      ? { valueInteger: value }
      : { valueDecimal: value };
  if (/Date$|\.on$|measuredOn$/.test(linkId)) return { valueDate: value };
  if (['yes', 'no', 'unknown', 'thigh', 'upper-arm', 'left', 'right'].includes(value as string))
    return { valueCoding: { system: ANSWER_SYSTEM, code: value } };
  if (linkId === 'clearances.findings')
    return { valueCoding: { system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-rule', code: value } };
  return { valueString: value };
};

function itemsOf(value: Record<string, unknown>, prefix: string): QrItem[] {
  return Object.entries(value).flatMap(([key, v]): QrItem[] => {
    const linkId = prefix ? `${prefix}.${key}` : key;
    // A list of plain values is one repeating question with one answer each; a list of objects, a repeating group.
    if (Array.isArray(v) && v.every((element) => typeof element !== 'object'))
      return [{ linkId, answer: v.map((element) => answerOf(element, linkId)) }];
    if (Array.isArray(v))
      return v.map((element) => ({ linkId, item: itemsOf(element as Record<string, unknown>, linkId) }));
    if (v !== null && typeof v === 'object') return [{ linkId, item: itemsOf(v as Record<string, unknown>, linkId) }];
    return [{ linkId, answer: [answerOf(v, linkId)] }];
  });
}

/** The QuestionnaireResponse a form would send for a screening request (test data, built independently of the service's mapping). */
export function questionnaireResponseFor(request: Record<string, unknown>) {
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: 'https://bfr-rx.example.org/fhir/Questionnaire/bfr-screening',
    status: 'completed',
    subject: { reference: 'Patient/pat-7' },
    authored: `${SCREENED_ON}T09:00:00Z`,
    item: itemsOf(request, ''),
  };
}
