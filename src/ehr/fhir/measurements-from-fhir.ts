import type { Observation } from '@medplum/fhirtypes';

import type { RuleCatalogue } from '../../rules/catalogue';
import { daysBetween } from '../../screening/screening-facts';
import { LOINC } from './codes';
import { maxAgeDays, type Measurement, fhirMapping } from './fhir-mapping';
import type { MappingReport } from './mapped-source';
import { codings, day, field, list, quantityIn, referenceTo, text } from './record-values';

const USABLE_STATUSES = ['final', 'amended', 'corrected'];

/** An Observation that may be used, with the day it was made. */
export interface DatedObservation {
  observation: Observation;
  reference: string;
  date: string;
}

export const isCoded = (observation: unknown, system: string, code: string) =>
  codings(field(observation, 'code')).some((c) => c.system === system && c.code === code);

/** The day an observation was made: its effective time, else the day it was issued. */
function observedOn(observation: unknown): string | undefined {
  const period = field(observation, 'effectivePeriod');
  return (
    day(field(observation, 'effectiveDateTime')) ??
    day(field(observation, 'effectiveInstant')) ??
    day(field(period, 'end')) ??
    day(field(period, 'start')) ??
    day(field(observation, 'issued'))
  );
}

/**
 * The observations of one kind that may be used on `asOf`, newest first. A cancelled or erroneous
 * one, a preliminary one, one without a date, one dated after `asOf`, or one older than the mapping
 * allows for the measurement is left out with a note saying so.
 */
export function usableObservations(
  observations: readonly Observation[],
  matches: (observation: Observation) => boolean,
  measurement: Measurement,
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): DatedObservation[] {
  const limit = maxAgeDays(catalogue, measurement);
  const entry = catalogue.table(fhirMapping).measurements.find((m) => m.measurement === measurement)!;
  const usable: DatedObservation[] = [];
  for (const observation of observations.filter(matches)) {
    const reference = referenceTo(observation);
    const status = text(field(observation, 'status'));
    if (!status || !USABLE_STATUSES.includes(status)) {
      report.notes.push(`${reference} (${measurement}) not used: status ${status ?? 'missing'}.`);
      continue;
    }
    const date = observedOn(observation);
    if (!date) {
      report.notes.push(`${reference} (${measurement}) not used: it has no date, so its age cannot be told.`);
      continue;
    }
    const age = daysBetween(date, asOf);
    if (age < 0) {
      report.notes.push(`${reference} (${measurement}) not used: dated ${date}, after ${asOf}.`);
      continue;
    }
    if (age > limit) {
      report.notes.push(
        `${reference} (${measurement}) not used: measured ${date}, ${age} days before ${asOf}; ${entry.id} accepts at most ${limit} days.`,
      );
      continue;
    }
    usable.push({ observation, reference, date });
  }
  return usable.sort((a, b) => b.date.localeCompare(a.date));
}

export const MM_HG = { 'mm[Hg]': 1, mmHg: 1 };
const KILOGRAMS = { kg: 1, g: 0.001, '[lb_av]': 0.45359237, lb: 0.45359237 };
export const CENTIMETRES = { cm: 1, m: 100, mm: 0.1, '[in_i]': 2.54, in: 2.54 };

function component(observation: Observation, code: string): unknown {
  return list(field(observation, 'component')).find((c) =>
    codings(field(c, 'code')).some((k) => k.system === LOINC.systolic.system && k.code === code),
  );
}

export interface BloodPressureReading {
  systolic: number;
  diastolic: number;
  measuredOn: string;
  reference: string;
}

/**
 * The newest usable blood pressure panel (LOINC 85354-9 with components 8480-6 and 8462-4 in mmHg).
 * A panel missing either component, in another unit or out of the screening's range is noted and
 * the next one is tried.
 */
export function bloodPressureFrom(
  observations: readonly Observation[],
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): BloodPressureReading | undefined {
  const panels = usableObservations(
    observations,
    (o) => isCoded(o, LOINC.bloodPressurePanel.system!, LOINC.bloodPressurePanel.code!),
    'blood-pressure',
    catalogue,
    asOf,
    report,
  );
  for (const { observation, reference, date } of panels) {
    const systolic = quantityIn(field(component(observation, LOINC.systolic.code!), 'valueQuantity'), MM_HG);
    const diastolic = quantityIn(field(component(observation, LOINC.diastolic.code!), 'valueQuantity'), MM_HG);
    if (systolic === undefined || diastolic === undefined) {
      report.notes.push(
        `${reference} (blood-pressure) not used: it lacks a systolic (8480-6) or diastolic (8462-4) value in mmHg.`,
      );
      continue;
    }
    const reading = { systolic: Math.round(systolic), diastolic: Math.round(diastolic), measuredOn: date, reference };
    if (
      reading.systolic < 60 ||
      reading.systolic > 280 ||
      reading.diastolic < 30 ||
      reading.diastolic > 180 ||
      reading.diastolic >= reading.systolic
    ) {
      report.notes.push(
        `${reference} (blood-pressure) not used: ${reading.systolic}/${reading.diastolic} mmHg is not a plausible resting pressure.`,
      );
      continue;
    }
    return reading;
  }
  return undefined;
}

export interface QuantityReading {
  value: number;
  measuredOn: string;
  reference: string;
}

function newestQuantity(
  observations: readonly Observation[],
  code: { system?: string; code?: string },
  measurement: Measurement,
  units: Record<string, number>,
  range: { min: number; max: number; unit: string },
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): QuantityReading | undefined {
  for (const { observation, reference, date } of usableObservations(
    observations,
    (o) => isCoded(o, code.system!, code.code!),
    measurement,
    catalogue,
    asOf,
    report,
  )) {
    const value = quantityIn(field(observation, 'valueQuantity'), units);
    if (value === undefined) {
      report.notes.push(`${reference} (${measurement}) not used: no value in ${Object.keys(units).join(', ')}.`);
      continue;
    }
    const rounded = Math.round(value * 10) / 10;
    if (rounded < range.min || rounded > range.max) {
      report.notes.push(
        `${reference} (${measurement}) not used: ${rounded} ${range.unit} is outside ${range.min}-${range.max} ${range.unit}.`,
      );
      continue;
    }
    return { value: rounded, measuredOn: date, reference };
  }
  return undefined;
}

/** The newest usable body weight (LOINC 29463-7), in kg. */
export function bodyWeightFrom(
  observations: readonly Observation[],
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): QuantityReading | undefined {
  return newestQuantity(
    observations,
    LOINC.bodyWeight,
    'body-weight',
    KILOGRAMS,
    { min: 25, max: 300, unit: 'kg' },
    catalogue,
    asOf,
    report,
  );
}

/** The newest usable body height (LOINC 8302-2), in cm. */
export function bodyHeightFrom(
  observations: readonly Observation[],
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): QuantityReading | undefined {
  return newestQuantity(
    observations,
    LOINC.bodyHeight,
    'body-height',
    CENTIMETRES,
    { min: 100, max: 250, unit: 'cm' },
    catalogue,
    asOf,
    report,
  );
}
