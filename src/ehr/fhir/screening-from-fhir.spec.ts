import type { Resource } from '@medplum/fhirtypes';

import { SCREENED_ON } from '../../../test/factories';
import {
  bloodPressure,
  CODE,
  concept,
  condition,
  medication,
  medicationRequest,
  medicationStatement,
  patient,
  quantityObservation,
  surgery,
  verification,
} from '../../../test/fhir-fixtures';
import { RULES_DATA } from '../../../test/rules-fixtures';
import { loadRuleCatalogue } from '../../rulesets';
import { screenPatient } from '../../screening/screen-patient';
import { clinicalRecordFrom } from './clinical-record';
import { screeningFromFhir } from './screening-from-fhir';
import { screeningRequestFromDraft } from './screening-request-from-draft';

const catalogue = loadRuleCatalogue(RULES_DATA);
/** The patient's record: the Patient resource and the resources given. */
const sut = (resources: Resource[], asOf = SCREENED_ON) =>
  screeningFromFhir(clinicalRecordFrom([patient(), ...resources]), catalogue, asOf);
const daysBefore = (days: number) => new Date(Date.parse(SCREENED_ON) - days * 86_400_000).toISOString().slice(0, 10);

describe('clinicalRecordFrom', () => {
  it('sorts single resources and Bundle entries by kind, once each, and leaves out OperationOutcomes and nulls', () => {
    const dvt = condition('c-1', CODE.dvt);
    const record = clinicalRecordFrom([
      patient(),
      {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: dvt }, { resource: dvt }, { resource: bloodPressure('bp-1', 120, 80) }],
      },
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing' }] },
      null,
      medicationRequest('mr-1', 'active', {
        contained: [medication('m', { code: concept(CODE.warfarin) })],
        medicationReference: { reference: '#m' },
      }),
      surgery('p-1', '2026-10-30'),
    ]);
    expect(record.patient?.id).toBe('pat-7');
    expect(record.conditions).toHaveLength(1);
    expect(record.observations).toHaveLength(1);
    expect(record.medications).toHaveLength(1);
    expect(record.medicationResources.map((m) => m.id)).toEqual(['MedicationRequest/mr-1#m']);
    expect(record.procedures).toHaveLength(1);
  });
});

describe('screeningFromFhir: Patient', () => {
  it('takes the MRN, date of birth and sex, each with its source', () => {
    const { request, sources } = sut([patient()]);
    expect(request.patient).toEqual({ ref: 'mrn-1001', birthDate: '1992-03-14', sex: 'male' });
    expect(sources).toEqual(
      expect.arrayContaining([{ item: 'patient.birthDate', reference: 'Patient/pat-7', value: '1992-03-14' }]),
    );
  });

  it('does not guess an age from a partial birth date', () => {
    const { request, notes } = screeningFromFhir(
      clinicalRecordFrom([patient({ birthDate: '1992' })]),
      catalogue,
      SCREENED_ON,
    );
    expect(request.patient.birthDate).toBeUndefined();
    expect(notes).toEqual(expect.arrayContaining([expect.stringContaining('is not a full date')]));
  });
});

describe('screeningFromFhir: Condition and its statuses', () => {
  it('answers vteHistory yes from an active DVT, citing the resource, code, display and date', () => {
    const { request, sources } = sut([condition('c-12', CODE.dvt, 'active', { onsetDateTime: '2026-09-30' })]);
    expect(request.answers).toEqual({ vteHistory: 'yes' });
    expect(sources.slice(3)).toEqual([
      {
        item: 'vteHistory',
        reference: 'Condition/c-12',
        code: 'http://snomed.info/sct|128053003',
        display: 'Deep venous thrombosis',
        date: '2026-09-30',
        value: 'yes',
        mapping: 'fhir.condition.vte-history',
      },
    ]);
  });

  it.each(['resolved', 'inactive', 'remission'])('reads a %s DVT as a DVT history', (status) => {
    expect(sut([condition('c-1', CODE.dvt, status)]).request.answers.vteHistory).toBe('yes');
  });

  it('matches ICD-10-CM codes by their hierarchy, with or without the dot', () => {
    expect(sut([condition('c-1', CODE.dvtIcd)]).request.answers.vteHistory).toBe('yes');
    expect(sut([condition('c-1', { ...CODE.dvtIcd, code: 'I82409' })]).request.answers.vteHistory).toBe('yes');
  });

  it.each(['refuted', 'entered-in-error'])('ignores a DVT whose verificationStatus is %s, and says so', (status) => {
    const { request, notes } = sut([
      condition('c-7', CODE.dvt, 'active', { verificationStatus: verification(status) }),
    ]);
    expect(request.answers.vteHistory).toBeUndefined();
    expect(notes).toEqual([`Condition/c-7 (Deep venous thrombosis) ignored: verificationStatus ${status}.`]);
  });

  it('leaves a provisional DVT to the clinician rather than answering yes or no', () => {
    const { request, notes } = sut([
      condition('c-7', CODE.dvt, 'active', { verificationStatus: verification('provisional') }),
    ]);
    expect(request.answers.vteHistory).toBeUndefined();
    expect(notes[0]).toMatch(/provisional: vteHistory is left for the clinician/);
  });

  it('reads a resolved pregnancy as no answer, not as "not pregnant"', () => {
    const { request, notes } = sut([condition('c-2', CODE.pregnancy, 'resolved')]);
    expect(request.answers.pregnant).toBeUndefined();
    expect(notes[0]).toMatch(/is resolved: it does not answer pregnant \(fhir.condition.pregnancy\)/);
    expect(sut([condition('c-2', CODE.pregnancy, 'active')]).request.answers.pregnant).toBe('yes');
  });

  it('reads a condition without clinicalStatus as active and says so', () => {
    const { request, notes } = sut([condition('c-3', CODE.varicoseVeins, null)]);
    expect(request.answers.varicoseVeins).toBe('yes');
    expect(notes[0]).toMatch(/has no clinicalStatus; read as active/);
  });

  it('does not read sickle-cell trait as sickle cell disease', () => {
    expect(sut([condition('c-1', CODE.sickleCellTrait)]).request.answers.sickleCell).toBeUndefined();
    expect(sut([condition('c-1', CODE.sickleCell, 'resolved')]).request.answers.sickleCell).toBe('yes');
  });

  it('puts lymphoedema on the side its body site names, or on every site when it names none', () => {
    const left = sut([condition('c-4', CODE.lymphoedema, 'active', { bodySite: [concept(CODE.left)] })]);
    expect(left.request.limbFindings).toEqual([{ item: 'lymphoedema', side: 'left' }]);
    expect(left.sources[3]).toMatchObject({ item: 'limbs.lymphoedema', reference: 'Condition/c-4' });
    expect(sut([condition('c-4', CODE.lymphoedema)]).request.limbFindings).toEqual([
      { item: 'lymphoedema', side: null },
    ]);
  });

  it('answers nothing from a condition outside the value sets', () => {
    const { request, sources, notes } = sut([condition('c-5', CODE.hypertension)]);
    expect(request.answers).toEqual({});
    expect(sources.filter((s) => !s.item.startsWith('patient.'))).toEqual([]);
    expect(notes).toEqual([]);
  });
});

describe('screeningFromFhir: anticoagulants', () => {
  it('recognises an active order by its RxNorm ingredient code', () => {
    const { request, sources } = sut([
      medicationRequest('mr-1', 'active', { medicationCodeableConcept: concept(CODE.warfarin) }),
    ]);
    expect(request.answers.anticoagulants).toBe('yes');
    expect(sources[3]).toEqual({
      item: 'anticoagulants',
      reference: 'MedicationRequest/mr-1',
      code: 'http://www.nlm.nih.gov/research/umls/rxnorm|11289',
      display: 'warfarin',
      date: '2026-09-01',
      value: 'yes',
      mapping: 'fhir.medication.anticoagulants',
      matchedBy: 'code',
    });
  });

  it('recognises the ATC class B01A on a referenced Medication', () => {
    const resources = [
      medication('riva', { code: concept(CODE.rivaroxabanAtc) }),
      medicationStatement('ms-1', 'active', { medicationReference: { reference: 'Medication/riva' } }),
    ];
    expect(sut(resources).sources[3]).toMatchObject({
      reference: 'MedicationStatement/ms-1',
      code: 'http://www.whocc.no/atc|B01AF01',
      matchedBy: 'code',
      date: '2026-08-15',
    });
  });

  it('recognises an ingredient of a clinical drug it has no code for', () => {
    const drug = medication('m-1', {
      code: { text: 'Eliquis 5 mg tablet' },
      ingredient: [{ itemCodeableConcept: concept(CODE.apixaban) }],
    });
    const { sources } = sut([
      drug,
      medicationRequest('mr-2', 'active', { medicationReference: { reference: 'Medication/m-1' } }),
    ]);
    expect(sources[3]).toMatchObject({
      code: 'http://www.nlm.nih.gov/research/umls/rxnorm|1364430',
      matchedBy: 'ingredient',
    });
  });

  it('falls back to the ingredient name in the text, and flags it', () => {
    const { request, sources, notes } = sut([
      medicationRequest('mr-3', 'active', {
        medicationCodeableConcept: { text: 'Dabigatran etexilate 150 mg capsule' },
      }),
    ]);
    expect(request.answers.anticoagulants).toBe('yes');
    expect(sources[3]).toMatchObject({ display: 'dabigatran', matchedBy: 'text' });
    expect(notes).toEqual([
      'MedicationRequest/mr-3 was recognised as dabigatran by its name only, not by a code: check it.',
    ]);
  });

  it('counts an order on hold as being taken', () => {
    expect(
      sut([medicationRequest('mr-1', 'on-hold', { medicationCodeableConcept: concept(CODE.warfarin) })]).request.answers
        .anticoagulants,
    ).toBe('yes');
  });

  it.each(['stopped', 'completed', 'entered-in-error', 'cancelled'] as const)('ignores a %s order', (status) => {
    const { request, notes } = sut([
      medicationRequest('mr-1', status, { medicationCodeableConcept: concept(CODE.warfarin) }),
    ]);
    expect(request.answers.anticoagulants).toBeUndefined();
    expect(notes).toContain(`MedicationRequest/mr-1 (warfarin) ignored: status ${status}.`);
  });

  it('leaves a draft order and a statement of intent to the clinician', () => {
    const draft = sut([medicationRequest('mr-1', 'draft', { medicationCodeableConcept: concept(CODE.warfarin) })]);
    expect(draft.request.answers.anticoagulants).toBeUndefined();
    expect(draft.notes).toContain(
      'MedicationRequest/mr-1 (warfarin) has status draft: anticoagulants is left for the clinician.',
    );
    expect(
      sut([medicationStatement('ms-1', 'not-taken', { medicationCodeableConcept: concept(CODE.warfarin) })]).request
        .answers.anticoagulants,
    ).toBeUndefined();
  });

  it('does not read an antiplatelet (ATC B01AC) as an anticoagulant', () => {
    expect(
      sut([medicationRequest('mr-1', 'active', { medicationCodeableConcept: concept(CODE.clopidogrelAtc) })]).request
        .answers.anticoagulants,
    ).toBeUndefined();
  });

  it('ignores an order not to give it', () => {
    expect(
      sut([
        medicationRequest('mr-1', 'active', { doNotPerform: true, medicationCodeableConcept: concept(CODE.warfarin) }),
      ]).request.answers.anticoagulants,
    ).toBeUndefined();
  });
});

describe('screeningFromFhir: Observations', () => {
  it('reads the blood pressure panel by its components, with the date it was taken', () => {
    const { request, sources } = sut([bloodPressure('bp-1', 128, 81, '2026-11-01')]);
    expect(request.bloodPressure).toEqual({ systolic: 128, diastolic: 81, measuredOn: '2026-11-01' });
    expect(sources[3]).toEqual({
      item: 'bloodPressure',
      reference: 'Observation/bp-1',
      code: 'http://loinc.org|85354-9',
      date: '2026-11-01',
      value: '128/81',
      mapping: 'fhir.measurement.blood-pressure',
    });
  });

  it('takes the newest usable reading', () => {
    const { request } = sut([
      bloodPressure('old', 150, 95, daysBefore(20)),
      bloodPressure('new', 124, 79, daysBefore(2)),
    ]);
    expect(request.bloodPressure?.systolic).toBe(124);
  });

  it('does not use a blood pressure older than the screening rule accepts, and names the limit', () => {
    expect(sut([bloodPressure('bp-30', 124, 79, daysBefore(30))]).request.bloodPressure).toBeDefined();
    const { request, notes } = sut([bloodPressure('bp-31', 124, 79, daysBefore(31))]);
    expect(request.bloodPressure).toBeUndefined();
    expect(notes).toContain(
      `Observation/bp-31 (blood-pressure) not used: measured ${daysBefore(31)}, 31 days before ${SCREENED_ON}; fhir.measurement.blood-pressure accepts at most 30 days.`,
    );
  });

  it('does not use a panel without a diastolic value, a cancelled one, one without a date or one in another unit', () => {
    const noDiastolic = bloodPressure('a', 124, 79);
    noDiastolic.component = noDiastolic.component!.slice(0, 1);
    const kPa = bloodPressure('d', 124, 79);
    kPa.component![0].valueQuantity = { value: 16.5, unit: 'kPa', system: 'http://unitsofmeasure.org', code: 'kPa' };
    const { request, notes } = sut([
      noDiastolic,
      bloodPressure('b', 124, 79, SCREENED_ON, { status: 'entered-in-error' }),
      bloodPressure('c', 124, 79, SCREENED_ON, { effectiveDateTime: undefined }),
      kPa,
    ]);
    expect(request.bloodPressure).toBeUndefined();
    expect(notes).toHaveLength(4);
  });

  it('converts weight and height to kg and cm and leaves them out when too old', () => {
    const { request } = sut([
      quantityObservation('w', CODE.bodyWeight, 165, '[lb_av]'),
      quantityObservation('h', CODE.bodyHeight, 1.78, 'm'),
    ]);
    expect(request.patient).toMatchObject({ weightKg: 74.8, heightCm: 178 });
    expect(
      sut([quantityObservation('w', CODE.bodyWeight, 72, 'kg', daysBefore(91))]).request.patient.weightKg,
    ).toBeUndefined();
  });
});

describe('screeningFromFhir: Procedure', () => {
  it('answers recentSurgery with the date of the latest completed operation in the last 90 days', () => {
    const { request, sources } = sut([surgery('p-1', '2026-06-01'), surgery('p-2', '2026-10-30')]);
    expect(request.answers.recentSurgery).toBe('yes');
    expect(request.surgeryDate).toBe('2026-10-30');
    expect(sources.slice(3).map((s) => s.item)).toEqual(['recentSurgery', 'surgeryDate']);
  });

  it('does not answer no from an old operation, an operation in progress or one without a date', () => {
    for (const procedure of [
      surgery('p-1', daysBefore(120)),
      surgery('p-2', daysBefore(3), 'in-progress'),
      surgery('p-3', daysBefore(3), 'completed', { performedDateTime: undefined }),
    ]) {
      const { request, notes } = sut([procedure]);
      expect(request.answers.recentSurgery).toBeUndefined();
      expect(notes).toHaveLength(1);
    }
  });
});

describe('what the record cannot tell stays unknown', () => {
  it('gives nothing to screen on from an empty record: the request lists the missing patient fields', () => {
    const { request, sources, notes } = screeningFromFhir(clinicalRecordFrom([]), catalogue, SCREENED_ON);
    expect(notes).toEqual(['No Patient resource: date of birth and sex are unknown.']);
    expect(request).toEqual({ patient: {}, answers: {}, limbFindings: [] });
    expect(sources).toEqual([]);
    expect(screeningRequestFromDraft(request, [{ limb: 'thigh', side: 'left' }]).missing).toEqual(
      expect.arrayContaining([
        'patient.ref',
        'patient.birthDate',
        'patient.sex',
        'patient.heightCm',
        'patient.weightKg',
      ]),
    );
  });

  it('screens a full record as incomplete, naming the items no record answered', async () => {
    const record = [
      quantityObservation('w', CODE.bodyWeight, 72, 'kg'),
      quantityObservation('h', CODE.bodyHeight, 178, 'cm'),
      bloodPressure('bp', 122, 78),
    ];
    const { request: draft } = sut(record);
    const { request } = screeningRequestFromDraft(draft, [{ limb: 'thigh', side: 'left' }]);
    const outcome = await screenPatient(catalogue, request!, SCREENED_ON);
    expect(outcome.verdict).toBe('incomplete');
    expect(outcome.missing).toEqual(expect.arrayContaining(['vteHistory', 'anticoagulants']));
    // The record's patient is male: pregnancy does not apply and is not asked.
    expect(outcome.missing).not.toContain('pregnant');
  });

  it('screens a DVT on the record as contraindicated and places side-less limb findings on every site', async () => {
    const record = [
      quantityObservation('w', CODE.bodyWeight, 72, 'kg'),
      quantityObservation('h', CODE.bodyHeight, 178, 'cm'),
      condition('c-1', CODE.dvt, 'resolved'),
      condition('c-2', CODE.lymphoedema),
    ];
    const { request } = screeningRequestFromDraft(sut(record).request, [
      { limb: 'thigh', side: 'left' },
      { limb: 'thigh', side: 'right' },
    ]);
    expect(request!.limbs.map((l) => l.findings)).toEqual([{ lymphoedema: 'yes' }, { lymphoedema: 'yes' }]);
    expect((await screenPatient(catalogue, request!, SCREENED_ON)).verdict).toBe('contraindicated');
  });
});
