import { patientFacts } from '../src/screening/screening-facts';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../src/screening/screening-items';
import type { ScreeningRequest } from '../src/screening/screening.schema';

export const SCREENED_ON = '2026-11-20';

type LimbSite = ScreeningRequest['limbs'][number];

/** A cuff site with every finding answered no. */
export function limbSite(limb: LimbSite['limb'], side: LimbSite['side'], findings: LimbSite['findings'] = {}): LimbSite {
  return { limb, side, findings: { ...Object.fromEntries(Object.keys(LIMB_ITEMS).map((item) => [item, 'no'])), ...findings } };
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
  return { ...patientFacts(screeningRequest(), SCREENED_ON), vteScore: 0, ...overrides };
}
