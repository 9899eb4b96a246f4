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
    caller.post('/v1/screenings/questionnaire-responses').set('content-type', 'application/fhir+json').send(JSON.stringify(body));

  it('publishes a Questionnaire that passes both R4 validators', async () => {
    const res = await (await sut.as('viewer')).get('/v1/screenings/questionnaire').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const questionnaire = res.body as Questionnaire;
    expect(questionnaire).toMatchObject({ resourceType: 'Questionnaire', url: 'https://bfr-rx.example.org/fhir/Questionnaire/bfr-screening', status: 'active' });
    expect(fhirProblems(questionnaire)).toEqual([]);
  });

  it('screens a QuestionnaireResponse exactly as POST /v1/screenings screens the same answers, and stores it', async () => {
    const answers = screeningRequest({ answers: { ...screeningRequest().answers, varicoseVeins: 'yes', smoking: 'unknown' }, limbs: [limbSite('thigh', 'left', { wound: 'yes' }), limbSite('thigh', 'right')] });
    const direct = (await clinician.post('/v1/screenings', answers).expect(201)).body;
    const viaFhir = (await postResponse(questionnaireResponseFor(answers)).expect(201)).body;
    const outcome = ({ id: _id, screenedAt: _at, ...rest }: Record<string, unknown>) => rest;
    expect(outcome(viaFhir)).toEqual(outcome(direct));
    expect(viaFhir.limbs[0]).toEqual({ limb: 'thigh', side: 'left', verdict: 'contraindicated' });
    await clinician.get(`/v1/screenings/${viaFhir.id}`).expect(200);
  });

  it('maps each clearance and the findings it names, and hides pregnancy and postpartum from a male patient', async () => {
    const answers = screeningRequest({
      answers: { ...screeningRequest().answers, peripheralArteryDisease: 'yes', anticoagulants: 'yes', diabetes: 'yes' },
      clearances: [
        { findings: ['refer.peripheral-artery-disease', 'refer.anticoagulants'], by: 'Dr A. Okafor, vascular surgeon', on: SCREENED_ON, note: 'Cleared for low-pressure BFR.' },
        { findings: ['refer.diabetes'], by: 'Dr L. Moreau, general practitioner', on: SCREENED_ON, note: 'Diabetes reviewed.' },
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
      expect(asked.find((i) => i.linkId === linkId)!.enableWhen).toEqual([{ question: 'patient.sex', operator: '!=', answerCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'male' } }]);
    }
    expect(asked.find((i) => i.linkId === 'answers.oestrogenTherapy')!.enableWhen).toBeUndefined();
  });

  it('answers a refused answer with problem+json naming its linkId, and stores nothing', async () => {
    const body = questionnaireResponseFor(screeningRequest());
    body.item.find((i) => i.linkId === 'patient')!.item!.find((i) => i.linkId === 'patient.weightKg')!.answer = [{ valueString: 'seventy' }];
    const res = await postResponse(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ in: 'body', field: 'patient.weightKg', detail: 'needs valueDecimal' }] });
    expect(res.body.detail).toContain('patient.weightKg');
  });

  it('refuses a response still in progress or with an unknown field at the boundary', async () => {
    const inProgress = await postResponse({ ...questionnaireResponseFor(screeningRequest()), status: 'in-progress' }).expect(400);
    expect(inProgress.body.errors[0]).toMatchObject({ field: 'status', detail: expect.stringContaining('completed') });
    const unknown = await postResponse({ ...questionnaireResponseFor(screeningRequest()), basedOn: [] }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'basedOn', detail: 'is not a known field' });
  });

  it('lets only clinicians screen', async () => {
    await postResponse(questionnaireResponseFor(screeningRequest()), await sut.as('viewer')).expect(403);
  });
});
