import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { generatePlan } from '../src/prescription/generate-plan';
import { RuleCatalogue } from '../src/rules/catalogue';
import { onScreeningDay, patellofemoralRequest, prescriptionLimb, prescriptionRequest, SCREENED_ON } from './factories';
import { editedRulesData } from './rules-fixtures';
import { type Caller, startTestApp, type TestApp } from './test-app';

describe('POST /v1/prescriptions and the plan lifecycle', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: onScreeningDay() });
    clinician = await sut.as('clinician', { subject: 'dr-lee' });
  });

  afterAll(async () => {
    await sut.close();
  });

  const prescribe = (body: unknown = prescriptionRequest()) => clinician.post('/v1/prescriptions', body);

  describe('the left ACL reconstruction three weeks after surgery', () => {
    it('gives a draft of thigh work on the left, dosed from the measured LOP, with schedule, progression and evidence', async () => {
      const res = await prescribe().expect(201);
      const { plan } = res.body;
      expect(res.body).toMatchObject({
        status: 'draft',
        version: 1,
        previousVersionId: null,
        patientRef: 'mrn-1001',
        createdBy: 'dr-lee',
        approval: null,
      });
      expect(plan.phase).toMatchObject({ stage: 'low-load-resistance', evidenceGrade: 'rct' });
      expect(plan.indication).toMatchObject({ condition: 'acl-reconstruction', weeksSinceSurgery: 3 });

      const left = plan.exercises.filter((e: { site: { side: string } }) => e.site.side === 'left');
      expect(left.map((e: { exercise: { id: string } }) => e.exercise.id).join(' ')).toMatch(
        /leg-press|knee-extension/,
      );
      expect(plan.exercises[0].injuredSide).toBe(true);
      for (const e of left) {
        const { pressure } = e.dose;
        expect(e.site).toEqual({ limb: 'thigh', side: 'left' });
        expect(pressure.lop).toMatchObject({
          mmHg: 190,
          source: 'measured',
          position: 'supine',
          cuffWidthCm: 11.5,
          method: 'doppler',
        });
        expect(pressure.mmHg).toBe(Math.round((pressure.lopPercent * 190) / 100));
        expect(pressure.lopPercent).toBeLessThanOrEqual(80);
        expect(pressure.startMmHg).toBeLessThanOrEqual(pressure.mmHg);
        expect(pressure.basis.lopPercent[0]).toMatchObject({
          ruleId: expect.any(String),
          title: expect.any(String),
          evidence: expect.arrayContaining([expect.objectContaining({ level: expect.any(String) })]),
        });
        if (e.exercise.modality === 'resistance') {
          expect(e.dose.sets.value).toEqual([30, 15, 15, 15]);
          expect(e.dose.restBetweenSets).toMatchObject({ seconds: expect.any(Number), cuff: 'inflated' });
          expect(e.dose.tempo.value).toEqual({ concentricSeconds: 2, eccentricSeconds: 2 });
          for (const parameter of ['sets', 'restBetweenSets', 'tempo', 'load']) {
            expect(e.dose[parameter].basis.length).toBeGreaterThan(0);
          }
        }
        expect(e.dose.reperfusion).toMatchObject({ seconds: expect.any(Number), cuff: 'deflated' });
        expect(e.basis[0].ruleId).toBe(plan.phase.basis[0].ruleId);
      }
      const legPress = plan.exercises.find(
        (e: { exercise: { id: string }; site: { side: string } }) =>
          e.exercise.id === 'leg-press' && e.site.side === 'left',
      );
      if (legPress) {
        expect(legPress.dose.load.kg).toBe(Math.round((legPress.dose.load.percent1RM * 120) / 50) / 2);
      }
      expect(plan.schedule.sessionsPerWeek.value.min).toBeGreaterThanOrEqual(2);
      expect(plan.schedule.sessionsPerWeek.value.max).toBeLessThanOrEqual(3);
      expect(plan.schedule.minHoursBetweenSessions.value).toBeGreaterThanOrEqual(36);
      expect(plan.schedule.progression.value).toMatchObject({
        clinicianMessage: expect.any(String),
        patientMessage: expect.any(String),
      });
      expect(plan.schedule.progression.basis[0].evidence.length).toBeGreaterThan(0);
      expect(plan.schedule.loadCeilingPercent1RM).toBe(40);
      expect(plan.screening.verdict).toMatch(/clear|caution/);
      expect(plan.rulesetVersion).toMatch(/^[0-9a-f]{64}$/);
    });

    it('raises a caution for an LOP taken lying down when the exercises are done seated', async () => {
      const { plan } = (await prescribe().expect(201)).body;
      const seated = plan.exercises.some((e: { exercise: { position: string } }) => e.exercise.position !== 'supine');
      expect(seated).toBe(true);
      expect(plan.cautions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            source: 'lop',
            site: { limb: 'thigh', side: 'left' },
            id: expect.stringMatching(/:left-thigh$/),
          }),
        ]),
      );
    });

    it('refuses approval until every caution is acknowledged, then records who approved and what they acknowledged', async () => {
      const draft = (await prescribe().expect(201)).body;
      const cautions: string[] = draft.plan.cautions.map((c: { id: string }) => c.id);
      expect(cautions.length).toBeGreaterThan(0);

      const refused = await clinician
        .post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements: [] })
        .expect(422);
      expect(refused.body).toMatchObject({ code: 'ACKNOWLEDGEMENT_REQUIRED', missing: cautions, unknown: [] });
      const partly = await clinician
        .post(`/v1/prescriptions/${draft.id}/approve`, {
          acknowledgements: [{ caution: cautions[0] }, { caution: 'made.up' }],
        })
        .expect(422);
      expect(partly.body.unknown).toEqual(['made.up']);
      expect((await clinician.get(`/v1/prescriptions/${draft.id}`).expect(200)).body.status).toBe('draft');

      const approver = await sut.as('clinician', { subject: 'dr-okafor' });
      const acknowledgements = cautions.map((caution) => ({ caution, note: 'Discussed with the patient.' }));
      const approved = await approver.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements }).expect(200);
      expect(approved.body).toMatchObject({
        status: 'approved',
        approval: { by: 'dr-okafor', at: `${SCREENED_ON}T09:30:00.000Z`, acknowledgements },
      });
      expect(approved.body.plan).toEqual(draft.plan);

      const again = await clinician.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements }).expect(409);
      expect(again.body.code).toBe('PRESCRIPTION_STATE_CONFLICT');
    });

    it('keeps an approved plan immutable: a change is a new version linked to the old one, which it supersedes on approval', async () => {
      const first = (await prescribe().expect(201)).body;
      const acknowledge = (plan: { cautions: Array<{ id: string }> }) => ({
        acknowledgements: plan.cautions.map((c) => ({ caution: c.id })),
      });
      await clinician.post(`/v1/prescriptions/${first.id}/approve`, acknowledge(first.plan)).expect(200);

      const changed = prescriptionRequest({ oneRepMaxKg: { 'leg-press': 140 } });
      const second = (await clinician.post(`/v1/prescriptions/${first.id}/revisions`, changed).expect(201)).body;
      expect(second).toMatchObject({ status: 'draft', version: 2, seriesId: first.id, previousVersionId: first.id });
      expect((await clinician.get(`/v1/prescriptions/${first.id}`).expect(200)).body.status).toBe('approved');

      const stale = await clinician.post(`/v1/prescriptions/${first.id}/revisions`, changed).expect(409);
      expect(stale.body.detail).toContain(second.id);
      const otherPatient = await clinician
        .post(
          `/v1/prescriptions/${second.id}/revisions`,
          prescriptionRequest({ patient: { ...changed.patient, ref: 'mrn-9' } }),
        )
        .expect(400);
      expect(otherPatient.body.errors[0].field).toBe('patient.ref');

      await clinician.post(`/v1/prescriptions/${second.id}/approve`, acknowledge(second.plan)).expect(200);
      const old = (await clinician.get(`/v1/prescriptions/${first.id}`).expect(200)).body;
      expect(old).toMatchObject({ status: 'superseded', supersededBy: second.id });
      expect(old.plan).toEqual(first.plan);
    });

    it('cancels with a reason, and a cancelled plan cannot be approved or cancelled again', async () => {
      const draft = (await prescribe().expect(201)).body;
      expect((await clinician.post(`/v1/prescriptions/${draft.id}/cancel`, {}).expect(400)).body.errors[0].field).toBe(
        'reason',
      );
      const cancelled = await clinician
        .post(`/v1/prescriptions/${draft.id}/cancel`, { reason: 'Surgeon changed the protocol.' })
        .expect(200);
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        cancellation: { by: 'dr-lee', reason: 'Surgeon changed the protocol.' },
      });
      await clinician.post(`/v1/prescriptions/${draft.id}/cancel`, { reason: 'again' }).expect(409);
      await clinician.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements: [] }).expect(409);
    });
  });

  describe('refusals', () => {
    it('answers 422 with the screening for a DVT history, and stores nothing', async () => {
      const before = await sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM prescriptions');
      const body = prescriptionRequest({ answers: { ...prescriptionRequest().answers, vteHistory: 'yes' } });
      const res = await prescribe(body).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'CONTRAINDICATED', screening: { verdict: 'contraindicated' } });
      expect(res.body.detail).toContain('ci.vte-history');
      expect(res.body.screening.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('ci.vte-history');
      const after = await sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM prescriptions');
      expect(after).toEqual(before);
    });

    it('answers 422 naming what is missing when the screening is incomplete', async () => {
      const res = await prescribe(
        prescriptionRequest({ answers: { ...prescriptionRequest().answers, cancer: 'unknown' } }),
      ).expect(422);
      expect(res.body).toMatchObject({
        code: 'SCREENING_INCOMPLETE',
        screening: { verdict: 'incomplete', missing: ['cancer'] },
      });
    });

    it('needs a recorded clearance for a referral, and plans once one is given', async () => {
      const answers = { ...patellofemoralRequest().answers, anticoagulants: 'yes' as const };
      const refused = await prescribe(patellofemoralRequest({ answers })).expect(422);
      expect(refused.body).toMatchObject({ code: 'REFERRAL_REQUIRED', screening: { verdict: 'refer' } });
      expect(refused.body.detail).toContain('refer.anticoagulants');
      expect(refused.body.detail).toContain('Anticoagulant medication');
      const clearance = {
        findings: ['refer.anticoagulants'],
        by: 'Dr A. Shah, haematology',
        on: SCREENED_ON,
        note: 'Cleared for BFR at the planned pressures.',
      };
      const cleared = await prescribe(patellofemoralRequest({ answers, clearances: [clearance] })).expect(201);
      expect(cleared.body.plan.cautions.map((c: { source: string }) => c.source)).toContain('screening');
    });

    it('asks for an LOP when the injured thigh has none and no equation matches its cuff', async () => {
      const res = await prescribe(
        prescriptionRequest({ limbs: [prescriptionLimb('left', null), prescriptionLimb('right', 200)] }),
      ).expect(422);
      expect(res.body.code).toBe('LOP_REQUIRED');
      expect(res.body.lopFindings[0]).toMatchObject({ site: 'left thigh', ruleId: expect.any(String) });
    });

    it('refuses an LOP measured with another cuff than the one to be used', async () => {
      const left = prescriptionLimb('left', 190, { cuffWidthCm: 18 });
      const res = await prescribe(prescriptionRequest({ limbs: [left, prescriptionLimb('right', 200)] })).expect(422);
      expect(res.body.code).toBe('LOP_REQUIRED');
    });

    it('refuses a second surgery date or a "no recent surgery" that disagrees with a surgical indication, naming the fields', async () => {
      const other = await prescribe(prescriptionRequest({ surgeryDate: '2026-11-01' })).expect(400);
      expect(other.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'surgeryDate',
        'indication.surgeryDate',
      ]);
      expect(other.body.errors[0].detail).toContain('indication.surgeryDate (2026-10-30)');
      const ticked = await prescribe(
        prescriptionRequest({ answers: { ...prescriptionRequest().answers, recentSurgery: 'no' } }),
      ).expect(400);
      expect(ticked.body.errors).toEqual([
        expect.objectContaining({
          field: 'answers.recentSurgery',
          detail: expect.stringContaining('indication.surgeryDate (2026-10-30)'),
        }),
      ]);
      const same = await prescribe(prescriptionRequest({ surgeryDate: undefined })).expect(201);
      expect(same.body.plan.indication.weeksSinceSurgery).toBe(3);
    });

    it('blocks a surgical plan when the surgeon said no, whatever the weeks and the clearances', async () => {
      const answers = { ...prescriptionRequest().answers, surgeonApprovedBfr: 'no' as const };
      const res = await prescribe(
        prescriptionRequest({
          answers,
          clearances: [{ findings: ['refer.vte-score'], by: 'Dr L. Moreau, GP', on: SCREENED_ON, note: 'Cleared.' }],
        }),
      ).expect(422);
      expect(res.body).toMatchObject({ code: 'CONTRAINDICATED' });
      expect(res.body.detail).toContain('ci.surgeon-declined-bfr');
    });

    it('gives no LOP estimate outside the population the equation was derived in, and names the range', async () => {
      const base = patellofemoralRequest();
      const res = await prescribe(
        patellofemoralRequest({
          patient: { ...base.patient, birthDate: '1960-03-01' },
          limbs: [prescriptionLimb('left', null, { cuffWidthCm: 18 })],
        }),
      ).expect(422);
      expect(res.body.code).toBe('LOP_REQUIRED');
      expect(res.body.lopFindings.length).toBeGreaterThan(0);
      for (const finding of res.body.lopFindings) {
        expect(finding).toMatchObject({
          site: 'left thigh',
          ruleId: 'lop.estimate.outside-population',
          message: expect.stringMatching(/\(age 66 y is outside 18-33 y/),
        });
      }
    });

    it('plans the exercises whose position has a usable LOP and lists the others with the measurement each needs', async () => {
      const narrow = prescriptionLimb('left', 230, {
        cuffWidthCm: 8,
        lop: [{ mmHg: 230, method: 'doppler', position: 'supine', cuffWidthCm: 8, measuredOn: SCREENED_ON }],
      });
      const res = await prescribe(patellofemoralRequest({ limbs: [narrow], goal: 'strength' })).expect(201);
      const { plan } = res.body;
      expect(plan.exercises.map((e: { exercise: { position: string } }) => e.exercise.position)).toEqual(
        plan.exercises.map(() => 'supine'),
      );
      expect(plan.omitted.length).toBeGreaterThan(0);
      for (const omitted of plan.omitted) {
        expect(omitted).toMatchObject({
          side: 'left',
          reason: expect.stringContaining('lop.measured.position-narrow-cuff'),
          measurement: { limb: 'thigh', side: 'left', position: 'seated', cuffWidthCm: 8 },
        });
      }
    });

    it('validates the indication field by field', async () => {
      const res = await prescribe({
        ...prescriptionRequest(),
        indication: { condition: 'acl-reconstruction', side: 'left', weightBearing: 'full' },
      }).expect(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'indication.surgeryDate', detail: expect.stringContaining('required') }),
      ]);
      const future = await prescribe(
        patellofemoralRequest({ indication: { ...patellofemoralRequest().indication, onsetDate: '2027-01-01' } }),
      ).expect(400);
      expect(future.body.errors).toEqual([
        expect.objectContaining({
          field: 'indication.onsetDate',
          detail: `is after the day of the plan (${SCREENED_ON})`,
        }),
      ]);
      const both = await prescribe(
        patellofemoralRequest({ indication: { ...patellofemoralRequest().indication, surgeryDate: '2026-01-01' } }),
      ).expect(400);
      expect(both.body.errors[0].field).toBe('indication.surgeryDate');
    });

    it('refuses a plan that a bad rules edit pushes past the safety envelope, naming the value and the rule', async () => {
      const dir = editedRulesData('dosing.rules.json', (content) => {
        for (const rule of content.rules) {
          if (rule.event.params.set?.lopPercent !== undefined) {
            rule.event.params.set.lopPercent = 95;
          }
        }
      });
      const edited = await startTestApp({ RULES_DIR: dir }, { clock: onScreeningDay() });
      try {
        const res = await (await edited.as('clinician')).post('/v1/prescriptions', prescriptionRequest()).expect(422);
        expect(res.body.code).toBe('ENVELOPE_BREACH');
        expect(res.body.breaches[0]).toMatchObject({
          parameter: 'lopPercent',
          value: 95,
          limit: 80,
          ruleIds: [expect.stringMatching(/^dose\./)],
        });
        expect(res.body.detail).toContain(res.body.breaches[0].ruleIds[0]);
      } finally {
        await edited.close();
      }
    });
  });

  describe('reading', () => {
    it("lists a patient's versions newest first, a page at a time, and only for the caller's organization", async () => {
      const patient = { ...prescriptionRequest().patient, ref: 'mrn-list' };
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push((await prescribe(prescriptionRequest({ patient })).expect(201)).body.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await clinician
          .get(`/v1/prescriptions?patient=mrn-list&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids].sort());
      const other = await sut.as('viewer', { tenant: 'clinic-south' });
      expect((await other.get('/v1/prescriptions?patient=mrn-list').expect(200)).body.items).toEqual([]);
      expect((await other.get(`/v1/prescriptions/${ids[0]}`).expect(404)).body.code).toBe('PRESCRIPTION_NOT_FOUND');
      expect(
        (await clinician.get('/v1/prescriptions?patient=mrn-list&cursor=bm9wZQ').expect(400)).body.errors[0].field,
      ).toBe('cursor');
      const otherPatient = (
        await prescribe(prescriptionRequest({ patient: { ...patient, ref: 'mrn-list-2' } })).expect(201)
      ).body.id;
      const clinic: Array<{ id: string; createdAt: string }> = [];
      cursor = null;
      do {
        const page: request.Response = await clinician
          .get(`/v1/prescriptions?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        clinic.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(clinic.map((i) => i.id)).toEqual(expect.arrayContaining([...ids, otherPatient]));
      const newestFirst = [...clinic].sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
      );
      expect(clinic).toEqual(newestFirst);
      expect((await other.get('/v1/prescriptions').expect(200)).body.items).toEqual([]);
    });

    it('stores the inputs, ruleset version and trace, so the plan is reproduced from them', async () => {
      const created = (await prescribe().expect(201)).body;
      const [row] = await sut.app
        .get(DataSource)
        .query('SELECT request, generated_on, ruleset_version, trace, trace_sha256 FROM prescriptions WHERE id = $1', [
          created.id,
        ]);
      const catalogue = sut.app.get(RuleCatalogue);
      expect(row.ruleset_version).toBe(catalogue.version);
      const again = await generatePlan(catalogue, JSON.parse(row.request), row.generated_on);
      expect(again.plan).toEqual(created.plan);
      // The trace is not stored, only its hash: it is made again when read.
      expect(row.trace).toBe('');
      expect(row.trace_sha256).toBe(createHash('sha256').update(JSON.stringify(again.trace)).digest('hex'));

      const trace = (await clinician.get(`/v1/prescriptions/${created.id}/trace`).expect(200)).body;
      expect(trace).toMatchObject({ id: created.id, rulesetVersion: catalogue.version, generatedOn: SCREENED_ON });
      expect(trace.trace).toEqual(JSON.parse(JSON.stringify(again.trace)));
      expect(
        trace.trace.selection.find((t: { ruleId: string }) => t.ruleId === created.plan.phase.basis[0].ruleId),
      ).toMatchObject({ fired: true });
      expect(trace.trace.dosing.length).toBe(created.plan.exercises.length);
      expect(
        (await clinician.get('/v1/prescriptions/00000000-0000-4000-8000-000000000000').expect(404)).body.code,
      ).toBe('PRESCRIPTION_NOT_FOUND');
    });

    it('answers a trace only when the one made again hashes as the stored one', async () => {
      const created = (await prescribe().expect(201)).body;
      const db = sut.app.get(DataSource);
      const [row] = await db.query('SELECT request FROM prescriptions WHERE id = $1', [created.id]);
      const changed = JSON.parse(row.request);
      changed.newToBfr = changed.newToBfr === 'yes' ? 'no' : 'yes';
      await db.query('UPDATE prescriptions SET request = $1 WHERE id = $2', [JSON.stringify(changed), created.id]);
      const refused = (await clinician.get(`/v1/prescriptions/${created.id}/trace`).expect(409)).body;
      expect(refused.code).toBe('TRACE_NOT_REPRODUCIBLE');
      // The plan itself is still read as stored.
      expect((await clinician.get(`/v1/prescriptions/${created.id}`).expect(200)).body.plan).toEqual(created.plan);
    });

    it('stores the trace with the signature, so an approved plan keeps its explanation when it could no longer be made again', async () => {
      const created = (await prescribe().expect(201)).body;
      const expected = (await clinician.get(`/v1/prescriptions/${created.id}/trace`).expect(200)).body.trace;
      const acknowledgements = created.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
      await clinician.post(`/v1/prescriptions/${created.id}/approve`, { acknowledgements }).expect(200);
      const db = sut.app.get(DataSource);
      const [row] = await db.query('SELECT request, trace FROM prescriptions WHERE id = $1', [created.id]);
      expect(JSON.parse(row.trace)).toEqual(expected);
      // As if the code that makes plans had changed since: the stored trace is still answered.
      const changed = { ...JSON.parse(row.request), newToBfr: 'no' };
      await db.query('UPDATE prescriptions SET request = $1 WHERE id = $2', [JSON.stringify(changed), created.id]);
      expect((await clinician.get(`/v1/prescriptions/${created.id}/trace`).expect(200)).body.trace).toEqual(expected);
    });

    it('refuses to approve a draft whose trace cannot be made again, and leaves it a draft', async () => {
      const created = (await prescribe().expect(201)).body;
      const db = sut.app.get(DataSource);
      const [row] = await db.query('SELECT request FROM prescriptions WHERE id = $1', [created.id]);
      const changed = { ...JSON.parse(row.request), newToBfr: 'no' };
      await db.query('UPDATE prescriptions SET request = $1 WHERE id = $2', [JSON.stringify(changed), created.id]);
      const acknowledgements = created.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
      const refused = await clinician.post(`/v1/prescriptions/${created.id}/approve`, { acknowledgements }).expect(409);
      expect(refused.body.code).toBe('TRACE_NOT_REPRODUCIBLE');
      expect((await clinician.get(`/v1/prescriptions/${created.id}`).expect(200)).body.status).toBe('draft');
    });

    it('answers the stored trace of a plan stored with its trace', async () => {
      const created = (await prescribe().expect(201)).body;
      const stored = { selection: [], lop: [], dosing: [], schedule: [{ ruleId: 'kept-as-stored' }] };
      await sut.app
        .get(DataSource)
        .query('UPDATE prescriptions SET trace = $1, trace_sha256 = NULL WHERE id = $2', [
          JSON.stringify(stored),
          created.id,
        ]);
      expect((await clinician.get(`/v1/prescriptions/${created.id}/trace`).expect(200)).body.trace).toEqual(stored);
    });

    it('makes the trace of a plan again with the ruleset version it was made with, after the rules changed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-versions-'));
      const env = { DATABASE_URL: `sqlite:${join(dir, 'plans.sqlite')}`, AUTH_DEV_KEY_FILE: join(dir, 'key.json') };
      const rulesDir = editedRulesData('schedule.rules.json', (content) => {
        content.rules[0].rationale = `${content.rules[0].rationale} (as first worded)`;
      });
      const before = await startTestApp({ ...env, RULES_DIR: rulesDir }, { clock: onScreeningDay() });
      let created: { id: string; plan: { rulesetVersion: string } };
      let expected: unknown;
      try {
        const caller = await before.as('clinician');
        created = (await caller.post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
        expected = (await caller.get(`/v1/prescriptions/${created.id}/trace`).expect(200)).body;
      } finally {
        await before.close();
      }
      const after = await startTestApp(env, { clock: onScreeningDay() });
      try {
        expect(after.app.get(RuleCatalogue).version).not.toBe(created.plan.rulesetVersion);
        const read = await (await after.as('clinician')).get(`/v1/prescriptions/${created.id}/trace`).expect(200);
        expect(read.body).toEqual(expected);
      } finally {
        await after.close();
      }
    });
  });
});
