import { limbSite, SCREENED_ON, screeningRequest, SURGEON_CLEARANCE } from './factories';
import { concept, questionnaireResponseFor } from './fhir-fixtures';

const BFR = 'https://bfr-rx.example.org/fhir/CodeSystem/bfr';

/** A Doppler LOP of the left thigh, supine, with an 11.5 cm cuff, on the screening day. */
export const lopLeftThigh = (mmHg: number) => ({
  resourceType: 'Observation' as const,
  id: 'lop-1',
  status: 'final' as const,
  code: concept({ system: BFR, code: 'lop', display: 'Limb occlusion pressure' }),
  subject: { reference: 'Patient/pat-7' },
  effectiveDateTime: SCREENED_ON,
  valueQuantity: { value: mmHg, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  method: concept({ system: BFR, code: 'doppler' }),
  bodySite: concept({ system: BFR, code: 'cuff-site-thigh-left' }),
  component: [
    {
      code: concept({ system: BFR, code: 'body-position' }),
      valueCodeableConcept: concept({ system: BFR, code: 'supine' }),
    },
    {
      code: concept({ system: BFR, code: 'cuff-width' }),
      valueQuantity: { value: 11.5, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
    },
  ],
});

/** The clinician's screening three weeks after a left ACL reconstruction: all no, the surgeon's clearance, the left thigh. */
export const aclScreeningAnswers = () => ({
  id: 'qr-1',
  ...questionnaireResponseFor(
    screeningRequest({
      answers: { ...screeningRequest().answers, recentSurgery: 'yes', surgeonApprovedBfr: 'yes' },
      surgeryDate: '2026-10-30',
      clearances: [SURGEON_CLEARANCE],
      limbs: [limbSite('thigh', 'left')],
    }),
  ),
});

/** What a BFR order for that patient says in bfr-rx codes: ACL reconstruction, full weight bearing, strength. */
export const aclOrderDetails = () => ({
  reasonCode: [
    { coding: [{ system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-indication', code: 'acl-reconstruction' }] },
  ],
  orderDetail: [
    {
      coding: [{ system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-order-detail', code: 'weight-bearing-full' }],
    },
    { coding: [{ system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr-order-detail', code: 'goal-strength' }] },
  ],
});
