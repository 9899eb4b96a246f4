import type { z } from 'zod';

import type { LimbSite, ScreeningRequest } from './screening.schema';
import { PATIENT_ITEMS, type PatientItem } from './screening-items';

const DAY_MS = 86_400_000;

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
  const answers = Object.fromEntries(
    (Object.keys(PATIENT_ITEMS) as PatientItem[]).map((item) => [item, request.answers[item] ?? 'unknown']),
  );
  const { heightCm, weightKg } = request.patient;
  return {
    ...answers,
    ageYears: ageOn(request.patient.birthDate, screenedOn),
    sex: request.patient.sex,
    bmi: Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10,
    systolicBp: request.bloodPressure?.systolic ?? null,
    diastolicBp: request.bloodPressure?.diastolic ?? null,
    bloodPressureAgeDays: request.bloodPressure ? daysBetween(request.bloodPressure.measuredOn, screenedOn) : null,
    surgicalIndication: context.surgicalIndication,
    daysSinceSurgery:
      request.answers.recentSurgery === 'yes' && request.surgeryDate ? daysBetween(request.surgeryDate, screenedOn) : null,
  };
}

export function limbFacts(site: z.infer<typeof LimbSite>, items: readonly string[]): Record<string, unknown> {
  const findings = site.findings as Record<string, string | undefined>;
  return {
    ...Object.fromEntries(items.map((item) => [item, findings[item] ?? 'unknown'])),
    limb: site.limb,
    side: site.side,
    circumferenceCm: site.circumferenceCm ?? null,
  };
}
