import type { OpenAPIObject } from '@nestjs/swagger';

import { LIMB_ITEMS, PATIENT_ITEMS } from './screening/screening-items';

/** The day the committed openapi.json's examples are dated; the running service dates them today. */
export const OPENAPI_EXAMPLE_DAY = '2026-11-20';

type Example = { summary: string; description?: string; value: unknown };

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

const ANSWER_SYSTEM = 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-screening-answer';
const none = <K extends string>(items: Record<K, string>) =>
  Object.fromEntries(Object.keys(items).map((item) => [item, 'no'])) as Record<K, 'no' | 'yes'>;

/** A healthy 34-year-old runner, nine weeks after a left ACL reconstruction, cuffs on both thighs. */
export function healthyRunnerScreening(today: string) {
  const surgeryDate = daysBefore(today, 63);
  return {
    patient: { ref: 'mrn-1001', birthDate: '1992-03-14', sex: 'female', heightCm: 168, weightKg: 61 },
    answers: { ...none(PATIENT_ITEMS), recentSurgery: 'yes', surgeonApprovedBfr: 'yes' },
    surgeryDate,
    bloodPressure: { systolic: 118, diastolic: 76, measuredOn: today },
    limbs: [
      { limb: 'thigh', side: 'left', circumferenceCm: 52, findings: none(LIMB_ITEMS) },
      { limb: 'thigh', side: 'right', circumferenceCm: 54, findings: none(LIMB_ITEMS) },
    ],
  } as const;
}

/** The README's ACL plan, complete: the screening, the indication, both cuff sites with an LOP measured today. */
export function aclPrescription(today: string) {
  const screening = healthyRunnerScreening(today);
  const lop = (mmHg: number) => [{ mmHg, method: 'doppler', position: 'supine', cuffWidthCm: 11.5, measuredOn: today }];
  return {
    ...screening,
    limbs: [
      { ...screening.limbs[0], cuffWidthCm: 11.5, lop: lop(180) },
      { ...screening.limbs[1], cuffWidthCm: 11.5, lop: lop(200) },
    ],
    indication: {
      condition: 'acl-reconstruction',
      side: 'left',
      surgeryDate: screening.surgeryDate,
      weightBearing: 'full',
    },
    goal: 'strength',
    newToBfr: 'yes',
    equipment: ['leg-press', 'knee-extension-machine', 'mat', 'stationary-bike'],
    oneRepMaxKg: { 'leg-press': 120 },
  };
}

/** The screening as a FHIR QuestionnaireResponse: each request field is the item with that linkId. */
function questionnaireResponse(today: string) {
  type Item = { linkId: string; item?: Item[]; answer?: Array<Record<string, unknown>> };
  const answer = (linkId: string, value: unknown): Record<string, unknown> => {
    if (linkId === 'patient.sex')
      return { valueCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: value } };
    if (typeof value === 'number')
      return Number.isInteger(value) && linkId.startsWith('bloodPressure.')
        ? { valueInteger: value }
        : { valueDecimal: value };
    if (/(Date|measuredOn)$/.test(linkId)) return { valueDate: value };
    if (['yes', 'no', 'unknown', 'thigh', 'upper-arm', 'left', 'right'].includes(value as string))
      return { valueCoding: { system: ANSWER_SYSTEM, code: value } };
    return { valueString: value };
  };
  const items = (value: Record<string, unknown>, prefix: string): Item[] =>
    Object.entries(value).flatMap(([key, v]): Item[] => {
      const linkId = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(v))
        return v.map((element) => ({ linkId, item: items(element as Record<string, unknown>, linkId) }));
      if (v !== null && typeof v === 'object') return [{ linkId, item: items(v as Record<string, unknown>, linkId) }];
      return [{ linkId, answer: [answer(linkId, v)] }];
    });
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: 'https://bfr-rx.example.org/fhir/Questionnaire/bfr-screening',
    status: 'completed',
    subject: { reference: 'Patient/pat-7' },
    authored: `${today}T09:00:00Z`,
    item: items(healthyRunnerScreening(today), ''),
  };
}

const sites = [
  { channel: 'A', site: { limb: 'thigh', side: 'left' } },
  { channel: 'B', site: { limb: 'thigh', side: 'right' } },
];

/** One working example per request body, keyed by method and path as in the document. */
export function requestExamples(today: string): Record<string, Record<string, Example>> {
  const screening = { summary: 'A healthy runner after an ACL reconstruction', value: healthyRunnerScreening(today) };
  const plan = {
    summary: 'The ACL plan, complete',
    description: 'Both thighs with an LOP measured today; a 1RM for the leg press.',
    value: aclPrescription(today),
  };
  return {
    'post /v1/rules/evaluations': {
      cuffSite: {
        summary: 'The cuff-site rules on a left thigh with a fresh incision',
        value: {
          ruleset: 'screening-limb',
          facts: { ...none(LIMB_ITEMS), incision: 'yes', limb: 'thigh', side: 'left', circumferenceCm: 52 },
        },
      },
    },
    'post /v1/screenings': { healthyRunner: screening },
    'post /v1/screenings/evaluations': { healthyRunner: screening },
    'post /v1/screenings/questionnaire-responses': {
      healthyRunner: { summary: 'The same screening as a QuestionnaireResponse', value: questionnaireResponse(today) },
    },
    'post /v1/prescriptions': { acl: plan },
    'post /v1/prescriptions/{id}/revisions': {
      acl: {
        ...plan,
        summary: 'The ACL plan with a new 1RM',
        value: { ...aclPrescription(today), oneRepMaxKg: { 'leg-press': 130 } },
      },
    },
    'post /v1/prescriptions/{id}/approve': {
      signed: {
        summary: 'Sign, acknowledging a caution, with the contact printed on the handout',
        description: "Acknowledge every id in the draft's `cautions` (an empty list when it has none).",
        value: { contact: { name: 'Sam Lee, physiotherapist', phone: '+34 600 000 000' }, acknowledgements: [] },
      },
    },
    'post /v1/prescriptions/{id}/cancel': {
      cancelled: { summary: 'Cancel a plan', value: { reason: 'The surgeon asked to wait two more weeks.' } },
    },
    'post /v1/prescriptions/{id}/device-sessions': {
      bothThighs: {
        summary: 'Channel A on the left thigh, B on the right',
        value: { deviceId: 'cuff-1', cuffs: sites },
      },
    },
    'post /v1/device-sessions/{id}/abort': {
      patient: { summary: 'Stopped for the patient', value: { reason: 'The patient felt numbness in the foot.' } },
    },
    'post /v1/devices/{id}/lop-measurements': {
      leftThigh: {
        summary: 'LOP of the left thigh, lying down',
        value: {
          patientRef: 'mrn-1001',
          channel: 'A',
          site: { limb: 'thigh', side: 'left' },
          cuffWidthCm: 11.5,
          posture: 'supine',
        },
      },
    },
    'post /cds-services/{id}': {
      patientView: {
        summary: 'patient-view for bfr-screening (send with the EHR JWT)',
        value: {
          hook: 'patient-view',
          hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
          context: { userId: 'PractitionerRole/123', patientId: 'pat-7' },
          prefetch: { patient: { resourceType: 'Patient', id: 'pat-7', gender: 'female', birthDate: '1992-03-14' } },
        },
      },
    },
    'post /cds-services/{id}/feedback': {
      overridden: {
        summary: 'A card overridden',
        description: '`card` is the uuid of a card this service returned.',
        value: {
          feedback: [
            {
              card: 'f3f6a6a4-6d2b-4b9e-9f8a-1d7d1f0b7c11',
              outcome: 'overridden',
              outcomeTimestamp: `${today}T09:30:00Z`,
            },
          ],
        },
      },
    },
    'post /app/dev-token': {
      clinician: {
        summary: 'A clinician of clinic-north',
        value: { role: 'clinician', subject: 'dev-clinician', tenant: 'clinic-north' },
      },
    },
  };
}

/** Puts the examples on each request body, so that Swagger UI's "Try it out" starts from a working request. */
export function withRequestExamples(document: OpenAPIObject, today: string): OpenAPIObject {
  const examples = requestExamples(today);
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const body = (operation as { requestBody?: { content?: Record<string, { examples?: Record<string, Example> }> } })
        .requestBody;
      const json = body?.content?.['application/json'];
      const given = examples[`${method} ${path}`];
      if (json && given) {
        json.examples = given;
      }
    }
  }
  return document;
}
