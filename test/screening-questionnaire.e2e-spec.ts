import type { Questionnaire } from '@medplum/fhirtypes';

import { limbSite, onScreeningDay, SCREENED_ON, screeningRequest } from './factories';
import { questionnaireResponseFor } from './fhir-fixtures';
import { fhirProblems } from './fhir-validation';
import { type Caller, startTestApp, type TestApp } from './test-app';

describe('the screening as a FHIR Questionnaire', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: onScreeningDay() });
    clinician = await sut.as('clinician', { subject: 'dr-lee' });
  });

  afterAll(async () => {
    await sut.close();
  });

  const postResponse = (body: unknown, caller = clinician) =>
    caller
      .post('/v1/screenings/questionnaire-responses')
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(body));

  it('publishes a Questionnaire that passes both R4 validators', async () => {
    const res = await (await sut.as('viewer')).get('/v1/screenings/questionnaire').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const questionnaire = res.body as Questionnaire;
    expect(questionnaire).toMatchObject({
      resourceType: 'Questionnaire',
      url: 'https://bfr-rx.example.org/fhir/Questionnaire/bfr-screening',
      status: 'active',
    });
    expect(fhirProblems(questionnaire)).toEqual([]);
  });

  it('screens a QuestionnaireResponse exactly as POST /v1/screenings screens the same answers, and stores it', async () => {
    const answers = screeningRequest({
      answers: { ...screeningRequest().answers, varicoseVeins: 'yes', smoking: 'unknown' },
      limbs: [limbSite('thigh', 'left', { wound: 'yes' }), limbSite('thigh', 'right')],
    });
    const direct = (await clinician.post('/v1/screenings', answers).expect(201)).body;
    const viaFhir = (await postResponse(questionnaireResponseFor(answers)).expect(201)).body;
    const outcome = ({ id: _id, screenedAt: _at, ...rest }: Record<string, unknown>) => rest;
    expect(outcome(viaFhir)).toEqual(outcome(direct));
    expect(viaFhir.limbs[0]).toEqual({ limb: 'thigh', side: 'left', verdict: 'contraindicated' });
    await clinician.get(`/v1/screenings/${viaFhir.id}`).expect(200);
  });

  it('maps each clearance and the findings it names, and hides pregnancy and postpartum from a male patient', async () => {
    const answers = screeningRequest({
      answers: {
        ...screeningRequest().answers,
        peripheralArteryDisease: 'yes',
        anticoagulants: 'yes',
        diabetes: 'yes',
      },
      clearances: [
        {
          findings: ['refer.peripheral-artery-disease', 'refer.anticoagulants'],
          by: 'Dr A. Okafor, vascular surgeon',
          on: SCREENED_ON,
          note: 'Cleared for low-pressure BFR.',
        },
        {
          findings: ['refer.diabetes'],
          by: 'Dr L. Moreau, general practitioner',
          on: SCREENED_ON,
          note: 'Diabetes reviewed.',
        },
      ],
    });
    const direct = (await clinician.post('/v1/screenings', answers).expect(201)).body;
    const viaFhir = (await postResponse(questionnaireResponseFor(answers)).expect(201)).body;
    expect(viaFhir.clearances).toEqual(answers.clearances);
    expect(viaFhir.verdict).toBe('caution');
    expect(viaFhir.findings).toEqual(direct.findings);
    const questionnaire = (await clinician.get('/v1/screenings/questionnaire').expect(200)).body as Questionnaire;
    const asked = questionnaire.item!.find((i) => i.linkId === 'answers')!.item!;
    for (const linkId of ['answers.pregnant', 'answers.postpartum']) {
      expect(asked.find((i) => i.linkId === linkId)!.enableWhen).toEqual([
        {
          question: 'patient.sex',
          operator: '!=',
          answerCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'male' },
        },
      ]);
    }
    expect(asked.find((i) => i.linkId === 'answers.oestrogenTherapy')!.enableWhen).toBeUndefined();
  });

  it('answers a refused answer with problem+json naming its linkId, and stores nothing', async () => {
    const body = questionnaireResponseFor(screeningRequest());
    body.item.find((i) => i.linkId === 'patient')!.item!.find((i) => i.linkId === 'patient.weightKg')!.answer = [
      { valueString: 'seventy' },
    ];
    const res = await postResponse(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ in: 'body', field: 'patient.weightKg', detail: 'needs valueDecimal' }],
    });
    expect(res.body.detail).toContain('patient.weightKg');
  });

  it('refuses a response still in progress or with an unknown field at the boundary', async () => {
    const inProgress = await postResponse({
      ...questionnaireResponseFor(screeningRequest()),
      status: 'in-progress',
    }).expect(400);
    expect(inProgress.body.errors[0]).toMatchObject({ field: 'status', detail: expect.stringContaining('completed') });
    const unknown = await postResponse({ ...questionnaireResponseFor(screeningRequest()), basedOn: [] }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'basedOn', detail: 'is not a known field' });
  });

  it('lets only clinicians screen', async () => {
    await postResponse(questionnaireResponseFor(screeningRequest()), await sut.as('viewer')).expect(403);
  });
  describe('in Spanish', () => {
    const read = (query = '', language?: string) => {
      const req = clinician.get(`/v1/screenings/questionnaire${query}`);
      return language === undefined ? req : req.set('accept-language', language);
    };
    const vte = (q: Questionnaire) =>
      q.item!.find((i) => i.linkId === 'answers')!.item!.find((i) => i.linkId === 'answers.vteHistory')!;

    it('answers ?lang=es with the Spanish questionnaire, its help texts and answer displays, under the same version', async () => {
      const english = (await read().expect(200)).body as Questionnaire;
      const res = await read('?lang=es').expect(200);
      const spanish = res.body as Questionnaire;
      expect(res.headers['content-language']).toBe('es');
      expect(res.headers['vary']).toMatch(/accept-language/i);
      expect(spanish).toMatchObject({ language: 'es', version: english.version, url: english.url });
      expect(vte(spanish).text).toContain('trombosis venosa profunda');
      expect(vte(spanish).item).toEqual([
        expect.objectContaining({
          linkId: 'answers.vteHistory.help',
          type: 'display',
          text: expect.stringContaining('coágulo'),
        }),
      ]);
      expect(vte(spanish).answerOption!.map((o) => [o.valueCoding!.code, o.valueCoding!.display])).toEqual([
        ['yes', 'sí'],
        ['no', 'no'],
        ['unknown', 'desconocido'],
      ]);
      expect(fhirProblems(spanish)).toEqual([]);
    });

    it('follows Accept-Language when there is no lang, and lang when there is', async () => {
      expect((await read('', 'es-ES,es;q=0.9,en;q=0.5').expect(200)).body.language).toBe('es');
      expect((await read('', 'es-419').expect(200)).body.language).toBe('es');
      const chosen = await read('?lang=en', 'es').expect(200);
      expect(chosen.body.language).toBe('en');
      expect(chosen.headers['content-language']).toBe('en');
    });

    it('answers English by default and for a header naming no supported language', async () => {
      const plain = await read().expect(200);
      expect(plain.body.language).toBe('en');
      expect(plain.headers['content-language']).toBe('en');
      expect(vte(plain.body).text).toContain('deep-vein thrombosis');
      expect((await read('', 'fr-FR, de;q=0.8').expect(200)).body.language).toBe('en');
    });

    it('refuses a lang it does not have with problem+json naming lang', async () => {
      for (const lang of ['fr', 'ES', '']) {
        const res = await read(`?lang=${lang}`).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'lang' })]);
      }
    });

    it('screens a response to the Spanish questionnaire as one to the English', async () => {
      const spanish = (await read('?lang=es').expect(200)).body as Questionnaire;
      const answers = screeningRequest();
      const res = await postResponse({
        ...questionnaireResponseFor(answers),
        questionnaire: `${spanish.url}|${spanish.version}`,
      }).expect(201);
      expect(res.body.verdict).toBe(
        (await clinician.post('/v1/screenings/evaluations', answers).expect(200)).body.verdict,
      );
    });
  });
});
