import { DataSource } from 'typeorm';

import { limbSite, onScreeningDay, SCREENED_ON, screeningRequest } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

describe('POST /v1/screenings and GET /v1/screenings/{id}', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: onScreeningDay() });
    clinician = await sut.as('clinician', { subject: 'dr-lee' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('stores a clear screening and reads it back unchanged', async () => {
    const created = await clinician.post('/v1/screenings', screeningRequest()).expect(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      patientRef: 'mrn-1001',
      screenedBy: 'dr-lee',
      screenedAt: `${SCREENED_ON}T09:30:00.000Z`,
      screenedOn: SCREENED_ON,
      verdict: 'clear',
      rulesetVersion: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const read = await (await sut.as('viewer')).get(`/v1/screenings/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);
    const [row] = await sut.app
      .get(DataSource)
      .query('SELECT verdict, ruleset_version, request FROM screenings WHERE id = $1', [created.body.id]);
    expect(row.verdict).toBe('clear');
    expect(JSON.parse(row.request).patient.ref).toBe('mrn-1001');
  });

  it('is contraindicated for a DVT history, citing the rule', async () => {
    const res = await clinician
      .post('/v1/screenings', screeningRequest({ answers: { ...screeningRequest().answers, vteHistory: 'yes' } }))
      .expect(201);
    expect(res.body.verdict).toBe('contraindicated');
    expect(res.body.findings[0]).toMatchObject({
      ruleId: 'ci.vte-history',
      evidence: expect.any(Array),
      inputs: { vteHistory: 'yes' },
    });
  });

  it('is incomplete for an unknown item, naming it', async () => {
    const answers = { ...screeningRequest().answers, cancer: 'unknown' };
    const res = await clinician.post('/v1/screenings', screeningRequest({ answers: answers as never })).expect(201);
    expect(res.body).toMatchObject({ verdict: 'incomplete', missing: ['cancer'] });
  });

  it('blocks only the left thigh for a wound at the left-thigh cuff site', async () => {
    const res = await clinician
      .post(
        '/v1/screenings',
        screeningRequest({ limbs: [limbSite('thigh', 'left', { wound: 'yes' }), limbSite('thigh', 'right')] }),
      )
      .expect(201);
    expect(res.body.limbs).toEqual([
      { limb: 'thigh', side: 'left', verdict: 'contraindicated' },
      { limb: 'thigh', side: 'right', verdict: 'clear' },
    ]);
  });

  describe('clearances that name what they clear', () => {
    const gp = { by: 'Dr L. Moreau, general practitioner', on: SCREENED_ON, note: 'Reviewed; BFR may go ahead.' };
    const referred = () =>
      screeningRequest({
        answers: { ...screeningRequest().answers, peripheralArteryDisease: 'yes', anticoagulants: 'yes' },
      });

    it('lifts only the referral a clearance names, and says which clearance lifted it', async () => {
      const res = await clinician
        .post('/v1/screenings', { ...referred(), clearances: [{ ...gp, findings: ['refer.anticoagulants'] }] })
        .expect(201);
      expect(res.body.verdict).toBe('refer');
      expect(res.body.findings).toEqual([
        expect.objectContaining({ ruleId: 'refer.peripheral-artery-disease', cleared: false }),
        expect.objectContaining({
          ruleId: 'refer.anticoagulants',
          cleared: true,
          clearance: { ...gp, findings: ['refer.anticoagulants'] },
        }),
      ]);
      expect(res.body.findings[0]).not.toHaveProperty('clearance');
      expect(res.body.clearances).toEqual([{ ...gp, findings: ['refer.anticoagulants'] }]);
    });

    it('refuses the old single free-text clearance, naming the field and the new shape', async () => {
      const res = await clinician.post('/v1/screenings', { ...referred(), clearance: gp }).expect(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          field: 'clearance',
          detail: expect.stringContaining('give `clearances`, a list of { findings: ['),
        }),
      ]);
    });

    it('refuses a clearance that names a contraindication or an unknown rule, and stores nothing', async () => {
      const db = sut.app.get(DataSource);
      const [{ n: before }] = await db.query('SELECT count(*) AS n FROM screenings');
      const res = await clinician
        .post('/v1/screenings', {
          ...referred(),
          clearances: [{ ...gp, findings: ['refer.anticoagulants', 'ci.bp-diastolic-100', 'refer.made-up'] }],
        })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'clearances.0.findings.1',
        'clearances.0.findings.2',
      ]);
      const [{ n: after }] = await db.query('SELECT count(*) AS n FROM screenings');
      expect(after).toBe(before);
    });
  });

  describe('refuses bad input with a 4xx naming the field', () => {
    const cases: Array<[string, unknown, string]> = [
      [
        'an unknown item',
        { ...screeningRequest(), answers: { ...screeningRequest().answers, dvt: 'no' } },
        'answers.dvt',
      ],
      [
        'an impossible blood pressure',
        { ...screeningRequest(), bloodPressure: { systolic: 400, diastolic: 20, measuredOn: SCREENED_ON } },
        'bloodPressure.systolic',
      ],
      [
        'a diastolic above the systolic',
        { ...screeningRequest(), bloodPressure: { systolic: 120, diastolic: 130, measuredOn: SCREENED_ON } },
        'bloodPressure.diastolic',
      ],
      [
        'a blood pressure measured in the future',
        { ...screeningRequest(), bloodPressure: { systolic: 120, diastolic: 80, measuredOn: '2026-12-01' } },
        'bloodPressure.measuredOn',
      ],
      [
        'a birth date in the future',
        { ...screeningRequest(), patient: { ...screeningRequest().patient, birthDate: '2030-01-01' } },
        'patient.birthDate',
      ],
      [
        'a date that is not a date',
        { ...screeningRequest(), patient: { ...screeningRequest().patient, birthDate: '1992-02-30' } },
        'patient.birthDate',
      ],
      [
        'recent surgery without a date',
        { ...screeningRequest(), answers: { ...screeningRequest().answers, recentSurgery: 'yes' } },
        'surgeryDate',
      ],
      [
        'an answer that is not yes, no or unknown',
        { ...screeningRequest(), answers: { ...screeningRequest().answers, pregnant: 'maybe' } },
        'answers.pregnant',
      ],
      ['no cuff site', { ...screeningRequest(), limbs: [] }, 'limbs'],
      [
        'the same cuff site twice',
        { ...screeningRequest(), limbs: [limbSite('thigh', 'left'), limbSite('thigh', 'left')] },
        'limbs',
      ],
      [
        'a clearance that names no finding',
        {
          ...screeningRequest(),
          clearances: [{ findings: [], by: 'Dr L. Moreau', on: SCREENED_ON, note: 'Cleared.' }],
        },
        'clearances.0.findings',
      ],
      [
        'an unknown site finding',
        { ...screeningRequest(), limbs: [{ ...limbSite('thigh', 'left'), findings: { bruise: 'yes' } }] },
        'limbs.0.findings.bruise',
      ],
    ];
    it.each(cases)('%s', async (_what, body, field) => {
      const res = await clinician.post('/v1/screenings', body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  it('stores nothing when the request is refused', async () => {
    const db = sut.app.get(DataSource);
    const [{ n: before }] = await db.query('SELECT count(*) AS n FROM screenings');
    await clinician
      .post('/v1/screenings', {
        ...screeningRequest(),
        bloodPressure: { systolic: 400, diastolic: 20, measuredOn: SCREENED_ON },
      })
      .expect(400);
    await clinician
      .post('/v1/screenings', {
        ...screeningRequest(),
        surgeryDate: '2027-01-01',
        answers: { ...screeningRequest().answers, recentSurgery: 'yes' },
      })
      .expect(400);
    const [{ n: after }] = await db.query('SELECT count(*) AS n FROM screenings');
    expect(after).toBe(before);
  });

  it('answers a retry with the same Idempotency-Key with the first screening', async () => {
    const first = await clinician
      .post('/v1/screenings', screeningRequest())
      .set('idempotency-key', 'screening-42')
      .expect(201);
    const retry = await clinician
      .post('/v1/screenings', screeningRequest())
      .set('idempotency-key', 'screening-42')
      .expect(201);
    expect(retry.body.id).toBe(first.body.id);
  });

  it("answers another organization's screening as it answers an unknown id, so its existence is not revealed", async () => {
    const created = await clinician.post('/v1/screenings', screeningRequest()).expect(201);
    const outsider = await sut.as('clinician', { tenant: 'clinic-south' });
    const refused = await outsider.get(`/v1/screenings/${created.body.id}`).expect(404);
    expect(refused.body).toMatchObject({
      code: 'SCREENING_NOT_FOUND',
      detail: `No screening with id ${created.body.id}.`,
    });
    const missing = await clinician.get('/v1/screenings/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.code).toBe('SCREENING_NOT_FOUND');
  });

  it('lets only clinicians screen', async () => {
    await (await sut.as('viewer')).post('/v1/screenings', screeningRequest()).expect(403);
  });
});
