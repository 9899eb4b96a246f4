import type { z } from 'zod';

import type { LimbSite, ScreeningRequest } from './screening.schema';
import { PATIENT_ITEMS, type PatientItem } from './screening-items';

const DAY_MS = 86_400_000;
const PATIENT_ITEM_NAMES = Object.keys(PATIENT_ITEMS) as PatientItem[];

/** Whole days from one ISO date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** Completed years of age on a given day. */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** What the screening knows beyond the request: whether it is made for a plan of a surgically treated condition. */
export interface ScreeningContext {
  surgicalIndication: boolean;
}

/**
 * The facts the screening rules read, flat and named, from a validated request. An item left out
 * is `unknown`; a measurement not given is null.
 */
export function patientFacts(
  request: ScreeningRequest,
  screenedOn: string,
  context: ScreeningContext = { surgicalIndication: false },
): Record<string, unknown> {
  // Filled key by key: this runs several times per plan, and a spread of entries costs more than the rules.
  const facts: Record<string, unknown> = {};
  for (const item of PATIENT_ITEM_NAMES) {
    facts[item] = request.answers[item] ?? 'unknown';
  }
  const { heightCm, weightKg } = request.patient;
  facts.ageYears = ageOn(request.patient.birthDate, screenedOn);
  facts.sex = request.patient.sex;
  facts.bmi = Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10;
  facts.systolicBp = request.bloodPressure?.systolic ?? null;
  facts.diastolicBp = request.bloodPressure?.diastolic ?? null;
  facts.bloodPressureAgeDays = request.bloodPressure ? daysBetween(request.bloodPressure.measuredOn, screenedOn) : null;
  facts.surgicalIndication = context.surgicalIndication;
  facts.daysSinceSurgery =
    request.answers.recentSurgery === 'yes' && request.surgeryDate
      ? daysBetween(request.surgeryDate, screenedOn)
      : null;
  return facts;
}

export function limbFacts(site: z.infer<typeof LimbSite>, items: readonly string[]): Record<string, unknown> {
  const findings = site.findings as Record<string, string | undefined>;
  const facts: Record<string, unknown> = {};
  for (const item of items) {
    facts[item] = findings[item] ?? 'unknown';
  }
  facts.limb = site.limb;
  facts.side = site.side;
  facts.circumferenceCm = site.circumferenceCm ?? null;
  return facts;
}
