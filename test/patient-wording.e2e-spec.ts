import { handoutText } from '../src/handout/handout-text';
import { RuleCatalogue } from '../src/rules/catalogue';
import { onScreeningDay, screeningRequest } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

describe('GET /v1/patient-wording', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: onScreeningDay() });
    clinician = await sut.as('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  it("gives the Spanish of each finding's patient message, as the handout prints it", async () => {
    const answers = {
      ...screeningRequest().answers,
      varicoseVeins: 'yes',
      anticoagulants: 'yes',
      smoking: 'yes',
    } as const;
    const outcome = (await clinician.post('/v1/screenings/evaluations', screeningRequest({ answers })).expect(200))
      .body as { findings: Array<{ patientMessage: string }> };
    expect(outcome.findings.length).toBeGreaterThanOrEqual(2);
    const wording = (await (await sut.as('viewer')).get('/v1/patient-wording?lang=es').expect(200)).body as {
      lang: string;
      texts: Record<string, string>;
    };
    expect(wording.lang).toBe('es');
    const { translations } = sut.app.get(RuleCatalogue).table(handoutText);
    for (const { patientMessage } of outcome.findings) {
      expect(wording.texts[patientMessage]).toBe(translations[patientMessage].es);
      expect(wording.texts[patientMessage]).not.toBe(patientMessage);
    }
  });

  it('refuses a language it has no table for, or none, naming lang', async () => {
    for (const query of ['?lang=en', '?lang=fr', '']) {
      const res = await clinician.get(`/v1/patient-wording${query}`).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'lang' })]);
    }
  });
});
