import { FixedClock } from '../src/common/clock';
import type { PrescriptionRequest } from '../src/prescription/prescription-request.schema';
import { patientFacts } from '../src/screening/screening-facts';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../src/screening/screening-items';
import type { ScreeningRequest } from '../src/screening/screening.schema';

export const SCREENED_ON = '2026-11-20';

type LimbSite = ScreeningRequest['limbs'][number];

/** A cuff site with every finding answered no. */
export function limbSite(
  limb: LimbSite['limb'],
  side: LimbSite['side'],
  findings: LimbSite['findings'] = {},
): LimbSite {
  return {
    limb,
    side,
    findings: { ...Object.fromEntries(Object.keys(LIMB_ITEMS).map((item) => [item, 'no'])), ...findings },
  };
}

/**
 * A healthy 34-year-old runner, every item answered no, a normal blood pressure taken on the day,
 * both thighs checked: a screening that is clear.
 */
export function screeningRequest(overrides: Partial<ScreeningRequest> = {}): ScreeningRequest {
  return {
    patient: { ref: 'mrn-1001', birthDate: '1992-03-14', sex: 'male', heightCm: 178, weightKg: 72 },
    answers: Object.fromEntries(Object.keys(PATIENT_ITEMS).map((item) => [item, 'no'])),
    bloodPressure: { systolic: 122, diastolic: 78, measuredOn: SCREENED_ON },
    limbs: [limbSite('thigh', 'left'), limbSite('thigh', 'right')],
    ...overrides,
  };
}

/** The screening ruleset's facts for that patient, as the rules read them. */
export function screeningFacts(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...patientFacts(screeningRequest(), SCREENED_ON),
    vteScore: 0,
    vteScoreIfUnanswered: 0,
    vteUnansweredItems: [],
    ...overrides,
  };
}

type PrescriptionLimb = PrescriptionRequest['limbs'][number];

/** A thigh cuff site, findings all no, with an 11.5 cm cuff and a Doppler LOP taken supine on the day. */
export function prescriptionLimb(
  side: PrescriptionLimb['side'],
  lopMmHg: number | null,
  overrides: Partial<PrescriptionLimb> = {},
): PrescriptionLimb {
  return {
    ...limbSite('thigh', side),
    circumferenceCm: 54,
    cuffWidthCm: 11.5,
    lop:
      lopMmHg === null
        ? []
        : [{ mmHg: lopMmHg, method: 'doppler', position: 'supine', cuffWidthCm: 11.5, measuredOn: SCREENED_ON }],
    ...overrides,
  };
}

/** The operating surgeon's clearance of the VTE risk screen (the early post-operative points need it when the approval is not recorded). */
export const SURGEON_CLEARANCE = {
  findings: ['refer.vte-score'],
  by: 'Mr J. Park, orthopaedic surgeon',
  on: '2026-11-13',
  note: 'Post-operative protocol includes BFR from week 2.',
};

/**
 * The reference case: a runner three weeks after a left ACL reconstruction, walking fully,
 * with a measured left-thigh LOP of 190 mmHg (supine, 11.5 cm cuff) and 200 mmHg on the right,
 * and the surgeon's clearance.
 */
export function prescriptionRequest(overrides: Partial<PrescriptionRequest> = {}): PrescriptionRequest {
  const screening = screeningRequest();
  return {
    patient: screening.patient,
    answers: { ...screening.answers, recentSurgery: 'yes', surgeonApprovedBfr: 'yes' },
    surgeryDate: '2026-10-30',
    bloodPressure: screening.bloodPressure,
    clearances: [SURGEON_CLEARANCE],
    limbs: [prescriptionLimb('left', 190), prescriptionLimb('right', 200)],
    indication: { condition: 'acl-reconstruction', side: 'left', surgeryDate: '2026-10-30', weightBearing: 'full' },
    goal: 'strength',
    newToBfr: 'yes',
    oneRepMaxKg: { 'leg-press': 120 },
    ...overrides,
  };
}

/** A runner with patellofemoral pain for six weeks: no surgery, nothing to clear, a measured LOP on the left. */
export function patellofemoralRequest(overrides: Partial<PrescriptionRequest> = {}): PrescriptionRequest {
  const screening = screeningRequest();
  return {
    patient: screening.patient,
    answers: screening.answers,
    bloodPressure: screening.bloodPressure,
    limbs: [prescriptionLimb('left', 190)],
    indication: { condition: 'patellofemoral-pain', side: 'left', onsetDate: '2026-10-09', weightBearing: 'full' },
    goal: 'pain-relief',
    newToBfr: 'no',
    oneRepMaxKg: { 'leg-press': 90 },
    ...overrides,
  };
}

/** The clock of the test apps: half past nine on the screening day, so dates in expectations never drift. */
export const onScreeningDay = () => new FixedClock(new Date(`${SCREENED_ON}T09:30:00.000Z`));
