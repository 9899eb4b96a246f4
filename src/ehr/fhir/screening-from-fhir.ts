import type { z } from 'zod';
import type {
  Coding,
  Condition,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Procedure,
} from '@medplum/fhirtypes';

import type { RuleCatalogue } from '../../rules/catalogue';
import { daysBetween } from '../../screening/screening-facts';
import type { LimbItem, PatientItem } from '../../screening/screening-items';
import { LIMB_ITEMS } from '../../screening/screening-items';
import type { Side as SideEnum } from '../../screening/screening.ruleset';
import type { ScreeningRequest } from '../../screening/screening.schema';

type Side = z.infer<typeof SideEnum>;
import type { ClinicalRecord } from './clinical-record';
import { BFR_SYSTEM, SNOMED, SYSTEM } from './codes';
import { type ClinicalStatus, fhirMapping, type MedicationMapping, valueSet } from './fhir-mapping';
import type { MappedSource, MappingReport } from './mapped-source';
import { bloodPressureFrom, bodyHeightFrom, bodyWeightFrom } from './measurements-from-fhir';
import { codings, day, field, list, nameOf, referenceTo, statusCode, text, wording } from './record-values';
import { codingIn, type ValueSetResource } from './value-sets';

/** A cuff-site finding the record gives; `side` null when the record does not say which side. */
export interface LimbFindingFromFhir {
  item: LimbItem;
  side: Side | null;
}

/**
 * The part of a screening request an EHR record can fill. Answers are only ever `yes`: a record
 * that is missing never answers no, so every item left out stays unknown and the screening names it.
 */
export interface ScreeningDraft {
  patient: Partial<ScreeningRequest['patient']>;
  answers: Partial<Record<PatientItem, 'yes'>>;
  surgeryDate?: string;
  bloodPressure?: NonNullable<ScreeningRequest['bloodPressure']>;
  /** Cuff-site findings; the planned cuff sites come from the order, not the record. */
  limbFindings: LimbFindingFromFhir[];
}

export interface FhirScreening extends MappingReport {
  request: ScreeningDraft;
}

const source = (coding: Coding | undefined): Pick<MappedSource, 'code' | 'display'> =>
  coding ? { code: `${coding.system}|${coding.code}`, ...(coding.display ? { display: coding.display } : {}) } : {};

const GENDERS: Record<string, ScreeningRequest['patient']['sex']> = {
  female: 'female',
  male: 'male',
  other: 'other',
  unknown: 'unknown',
};

function mapPatient(record: ClinicalRecord, draft: ScreeningDraft, report: MappingReport): void {
  const patient = record.patient;
  if (!patient) {
    report.notes.push('No Patient resource: date of birth and sex are unknown.');
    return;
  }
  const reference = referenceTo(patient);
  const mrn = list(field(patient, 'identifier')).find((id) =>
    codings(field(id, 'type')).some((c) => c.system === SYSTEM.identifierType && c.code === 'MR'),
  );
  const ref = text(field(mrn, 'value')) ?? text(field(patient, 'id'));
  if (ref && ref.length <= 64) {
    draft.patient.ref = ref;
    report.sources.push({ item: 'patient.ref', reference, value: ref });
  }
  const birthDate = day(field(patient, 'birthDate'));
  if (birthDate) {
    draft.patient.birthDate = birthDate;
    report.sources.push({ item: 'patient.birthDate', reference, value: birthDate });
  } else if (field(patient, 'birthDate') !== undefined) {
    report.notes.push(
      `${reference} birthDate "${String(field(patient, 'birthDate'))}" is not a full date: age unknown.`,
    );
  }
  const sex = GENDERS[text(field(patient, 'gender')) ?? ''];
  if (sex) {
    draft.patient.sex = sex;
    report.sources.push({ item: 'patient.sex', reference, value: sex });
  }
}

const UNCONFIRMED = ['provisional', 'differential', 'unconfirmed'];
const IGNORED = ['refuted', 'entered-in-error'];

/** The side a Condition's body site names, by SNOMED laterality or a bfr-rx cuff-site code. */
function sideOf(condition: Condition): Side | null {
  const sides = new Set<Side>();
  for (const site of list(field(condition, 'bodySite'))) {
    for (const coding of codings(site)) {
      if (coding.system === SNOMED.left.system && coding.code === SNOMED.left.code) sides.add('left');
      if (coding.system === SNOMED.right.system && coding.code === SNOMED.right.code) sides.add('right');
      if (coding.system === BFR_SYSTEM && /^cuff-site-.+-(left|right)$/.test(coding.code!))
        sides.add(coding.code!.endsWith('left') ? 'left' : 'right');
    }
  }
  return sides.size === 1 ? [...sides][0] : null;
}

function mapConditions(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  draft: ScreeningDraft,
  report: MappingReport,
): void {
  const mappings = catalogue
    .table(fhirMapping)
    .conditions.map((m) => ({ mapping: m, valueSet: valueSet(catalogue, m.valueSet) }));
  for (const condition of record.conditions) {
    const reference = referenceTo(condition);
    const matches = mappings.flatMap(({ mapping, valueSet: vs }) => {
      const coding = codingIn(vs, field(condition, 'code'));
      return coding ? [{ mapping, coding }] : [];
    });
    if (matches.length === 0) {
      continue;
    }
    const verification = statusCode(field(condition, 'verificationStatus'), SYSTEM.conditionVerification);
    if (verification && IGNORED.includes(verification)) {
      report.notes.push(
        `${reference} (${nameOf(field(condition, 'code'))}) ignored: verificationStatus ${verification}.`,
      );
      continue;
    }
    const clinical = statusCode(field(condition, 'clinicalStatus'), SYSTEM.conditionClinical);
    const status = (clinical ?? 'active') as ClinicalStatus;
    if (!clinical) {
      report.notes.push(`${reference} (${nameOf(field(condition, 'code'))}) has no clinicalStatus; read as active.`);
    }
    const date = day(field(condition, 'onsetDateTime')) ?? day(field(condition, 'recordedDate'));
    for (const { mapping, coding } of matches) {
      const item = mapping.item;
      if (verification && UNCONFIRMED.includes(verification)) {
        report.notes.push(
          `${reference} (${coding.display ?? coding.code}) is ${verification}: ${item} is left for the clinician to confirm.`,
        );
        continue;
      }
      if (!mapping.answersYesWhen.includes(status)) {
        report.notes.push(
          `${reference} (${coding.display ?? coding.code}) is ${status}: it does not answer ${item} (${mapping.id}).`,
        );
        continue;
      }
      const isLimbItem = item in LIMB_ITEMS;
      if (isLimbItem) {
        draft.limbFindings.push({ item: item as LimbItem, side: sideOf(condition) });
      } else {
        draft.answers[item as PatientItem] = 'yes';
      }
      report.sources.push({
        item: isLimbItem ? `limbs.${item}` : item,
        reference,
        ...source(coding),
        ...(date ? { date } : {}),
        value: 'yes',
        mapping: mapping.id,
      });
    }
  }
}

/** The Medication a request or statement names, from the record or its contained resources. */
function medicationOf(order: MedicationRequest | MedicationStatement, record: ClinicalRecord): Medication | undefined {
  const reference = text(field(field(order, 'medicationReference'), 'reference'));
  if (!reference) {
    return undefined;
  }
  if (reference.startsWith('#')) {
    return record.medicationResources.find((m) => m.id === `${referenceTo(order)}${reference}`);
  }
  return record.medicationResources.find(
    (m) => reference === referenceTo(m) || reference.endsWith(`/${referenceTo(m)}`),
  );
}

type MedicationMatch = { coding?: Coding; matchedBy: 'code' | 'ingredient' | 'text'; name: string };

function recogniseMedication(
  order: MedicationRequest | MedicationStatement,
  record: ClinicalRecord,
  mapping: MedicationMapping,
  vs: ValueSetResource,
): MedicationMatch | undefined {
  const medication = medicationOf(order, record);
  const concepts = [field(order, 'medicationCodeableConcept'), field(medication, 'code')];
  for (const concept of concepts) {
    const coding = codingIn(vs, concept);
    if (coding) {
      return { coding, matchedBy: 'code', name: nameOf(concept) };
    }
  }
  const ingredients = list(field(medication, 'ingredient')).map((i) => field(i, 'itemCodeableConcept'));
  for (const concept of ingredients) {
    const coding = codingIn(vs, concept);
    if (coding) {
      return { coding, matchedBy: 'ingredient', name: nameOf(concept) };
    }
  }
  const words = [...concepts, ...ingredients].flatMap(wording).join(' ').toLowerCase();
  const name = mapping.textMatches.find((n) => new RegExp(`\\b${n.toLowerCase()}\\b`).test(words));
  return name ? { matchedBy: 'text', name } : undefined;
}

const NOT_YET = ['draft', 'intended', 'unknown'];

function mapMedications(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  draft: ScreeningDraft,
  report: MappingReport,
): void {
  for (const mapping of catalogue.table(fhirMapping).medications) {
    const vs = valueSet(catalogue, mapping.valueSet);
    for (const order of record.medications) {
      const match = recogniseMedication(order, record, mapping, vs);
      if (!match) {
        continue;
      }
      const reference = referenceTo(order);
      const status = text(field(order, 'status')) ?? 'missing';
      const isRequest = order.resourceType === 'MedicationRequest';
      const answering: readonly string[] = isRequest ? mapping.requestStatuses : mapping.statementStatuses;
      if (isRequest && field(order, 'doNotPerform') === true) {
        report.notes.push(`${reference} (${match.name}) ignored: it is an order not to give it.`);
        continue;
      }
      if (!answering.includes(status)) {
        report.notes.push(
          NOT_YET.includes(status) || status === 'missing'
            ? `${reference} (${match.name}) has status ${status}: ${mapping.item} is left for the clinician.`
            : `${reference} (${match.name}) ignored: status ${status}.`,
        );
        continue;
      }
      draft.answers[mapping.item] = 'yes';
      const period = field(order, 'effectivePeriod');
      const date = isRequest
        ? day(field(order, 'authoredOn'))
        : (day(field(order, 'effectiveDateTime')) ?? day(field(period, 'start')) ?? day(field(order, 'dateAsserted')));
      report.sources.push({
        item: mapping.item,
        reference,
        ...(match.coding ? source(match.coding) : { display: match.name }),
        ...(date ? { date } : {}),
        value: 'yes',
        mapping: mapping.id,
        matchedBy: match.matchedBy,
      });
      if (match.matchedBy === 'text') {
        report.notes.push(`${reference} was recognised as ${match.name} by its name only, not by a code: check it.`);
      }
    }
  }
}

/** The day an operation was done: performedDateTime, else the end (or start) of performedPeriod. */
function performedOn(procedure: Procedure): string | undefined {
  const period = field(procedure, 'performedPeriod');
  return day(field(procedure, 'performedDateTime')) ?? day(field(period, 'end')) ?? day(field(period, 'start'));
}

function mapProcedures(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
  draft: ScreeningDraft,
  report: MappingReport,
): void {
  for (const mapping of catalogue.table(fhirMapping).procedures) {
    const vs = valueSet(catalogue, mapping.valueSet);
    const operations: Array<{ reference: string; date: string; coding: Coding; name: string }> = [];
    for (const procedure of record.procedures) {
      // R4 has one category; R5-shaped records send a list.
      const category = field(procedure, 'category');
      const coding = [...list(category), category, field(procedure, 'code')]
        .map((c) => codingIn(vs, c))
        .find((c) => c !== undefined);
      if (!coding) {
        continue;
      }
      const reference = referenceTo(procedure);
      const name = nameOf(field(procedure, 'code'));
      const status = text(field(procedure, 'status')) ?? 'missing';
      if (status !== 'completed') {
        report.notes.push(`${reference} (${name}) not used: status ${status}.`);
        continue;
      }
      const date = performedOn(procedure);
      if (!date) {
        report.notes.push(`${reference} (${name}) has no date: ${mapping.item} is left for the clinician.`);
        continue;
      }
      if (date > asOf) {
        report.notes.push(`${reference} (${name}) not used: dated ${date}, after ${asOf}.`);
        continue;
      }
      operations.push({ reference, date, coding, name });
    }
    const latest = operations.sort((a, b) => b.date.localeCompare(a.date))[0];
    if (!latest) {
      continue;
    }
    const days = daysBetween(latest.date, asOf);
    if (days > mapping.windowDays) {
      report.notes.push(
        `${latest.reference} (${latest.name}) on ${latest.date} is ${days} days ago, outside ${mapping.windowDays} days: ${mapping.item} is left for the clinician.`,
      );
      continue;
    }
    draft.answers.recentSurgery = 'yes';
    draft.surgeryDate = latest.date;
    report.sources.push({
      item: mapping.item,
      reference: latest.reference,
      ...source(latest.coding),
      display: latest.name,
      date: latest.date,
      value: 'yes',
      mapping: mapping.id,
    });
    report.sources.push({
      item: 'surgeryDate',
      reference: latest.reference,
      date: latest.date,
      value: latest.date,
      mapping: mapping.id,
    });
  }
}

function mapMeasurements(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
  draft: ScreeningDraft,
  report: MappingReport,
): void {
  const bp = bloodPressureFrom(record.observations, catalogue, asOf, report);
  if (bp) {
    draft.bloodPressure = { systolic: bp.systolic, diastolic: bp.diastolic, measuredOn: bp.measuredOn };
    report.sources.push({
      item: 'bloodPressure',
      reference: bp.reference,
      code: 'http://loinc.org|85354-9',
      date: bp.measuredOn,
      value: `${bp.systolic}/${bp.diastolic}`,
      mapping: 'fhir.measurement.blood-pressure',
    });
  }
  const weight = bodyWeightFrom(record.observations, catalogue, asOf, report);
  if (weight) {
    draft.patient.weightKg = weight.value;
    report.sources.push({
      item: 'patient.weightKg',
      reference: weight.reference,
      code: 'http://loinc.org|29463-7',
      date: weight.measuredOn,
      value: weight.value,
      mapping: 'fhir.measurement.body-weight',
    });
  }
  const height = bodyHeightFrom(record.observations, catalogue, asOf, report);
  if (height) {
    draft.patient.heightCm = height.value;
    report.sources.push({
      item: 'patient.heightCm',
      reference: height.reference,
      code: 'http://loinc.org|8302-2',
      date: height.measuredOn,
      value: height.value,
      mapping: 'fhir.measurement.body-height',
    });
  }
}

/**
 * What an EHR record can answer of the BFR screening on `asOf` (YYYY-MM-DD), with the record behind
 * every value and a note for everything left out. Records only answer yes; what they cannot tell
 * stays unanswered (unknown), measurements too old for the rules are not used.
 */
export function screeningFromFhir(record: ClinicalRecord, catalogue: RuleCatalogue, asOf: string): FhirScreening {
  const draft: ScreeningDraft = { patient: {}, answers: {}, limbFindings: [] };
  const report: MappingReport = { sources: [], notes: [] };
  mapPatient(record, draft, report);
  mapConditions(record, catalogue, draft, report);
  mapMedications(record, catalogue, draft, report);
  mapProcedures(record, catalogue, asOf, draft, report);
  mapMeasurements(record, catalogue, asOf, draft, report);
  return { request: draft, ...report };
}
