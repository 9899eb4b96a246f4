import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { screeningRequest } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

type AuditRecord = {
  seq: number;
  actor: string | null;
  tenant: string | null;
  action: string;
  resourceId: string | null;
  outcome: string;
  status: number;
};

function verifyCommand(sut: TestApp): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/audit-verify.ts'], {
    cwd: resolve(__dirname, '..'),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${sut.config.database.kind === 'sqlite' ? sut.config.database.file : ''}`,
    },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('audit trail', () => {
  let sut: TestApp;
  let admin: Caller;
  let screeningId: string;

  beforeAll(async () => {
    sut = await startTestApp();
    admin = await sut.as('admin', { subject: 'admin-ana' });
    const clinician = await sut.as('clinician', { subject: 'dr-lee' });
    await clinician.get('/v1/rules?ruleset=screening').expect(200);
    await clinician.get('/v1/rules/ci.pregnancy').expect(200);
    const screening = await clinician
      .post(
        '/v1/screenings',
        screeningRequest({ bloodPressure: { systolic: 187, diastolic: 91, measuredOn: '2020-01-01' } }),
      )
      .expect(201);
    screeningId = screening.body.id;
    await clinician.get(`/v1/screenings/${screeningId}`).expect(200);
    await clinician.get('/v1/audit').expect(403);
    await request(sut.http).get('/v1/rules').expect(401);
    await request(sut.http).get('/health').expect(200);
  });

  afterAll(async () => {
    await sut.close();
  });

  const listAudit = async (caller: Caller, query = '') =>
    (await caller.get(`/v1/audit${query}`).expect(200)).body as { records: AuditRecord[]; nextAfter: number | null };

  it("shows an admin what the organization's clinician did, without clinical content or query strings", async () => {
    const { records } = await listAudit(admin);
    expect(
      records.map(({ actor, action, resourceId, outcome, status }) => ({ actor, action, resourceId, outcome, status })),
    ).toEqual([
      { actor: 'dr-lee', action: 'GET /v1/rules', resourceId: null, outcome: 'success', status: 200 },
      { actor: 'dr-lee', action: 'GET /v1/rules/:id', resourceId: 'ci.pregnancy', outcome: 'success', status: 200 },
      { actor: 'dr-lee', action: 'POST /v1/screenings', resourceId: screeningId, outcome: 'success', status: 201 },
      { actor: 'dr-lee', action: 'GET /v1/screenings/:id', resourceId: screeningId, outcome: 'success', status: 200 },
      { actor: 'dr-lee', action: 'GET /v1/audit', resourceId: null, outcome: 'denied', status: 403 },
    ]);
    const recorded = records.map(
      ({ prevHash: _p, hash: _h, requestId: _r, at: _a, ...content }: AuditRecord & Record<string, unknown>) => content,
    );
    // 187 as a number of its own: the systolic pressure sent, not a digit run inside a random id.
    expect(JSON.stringify(recorded)).not.toMatch(/\b187\b|systolic|mrn-1001|ruleset=/);
  });

  it('records denied requests of unknown callers outside any organization', async () => {
    const rows = await sut.app
      .get(DataSource)
      .query(`SELECT actor, tenant, outcome, status FROM audit_events WHERE status = 401`);
    expect(rows).toEqual([{ actor: null, tenant: null, outcome: 'denied', status: 401 }]);
  });

  it('does not record health checks', async () => {
    const rows = await sut.app
      .get(DataSource)
      .query(`SELECT count(*) AS n FROM audit_events WHERE action LIKE '%health%'`);
    expect(rows[0].n).toBe(0);
  });

  it("never shows one organization's records to another's admin", async () => {
    const otherAdmin = await sut.as('admin', { tenant: 'clinic-south' });
    const { records } = await listAudit(otherAdmin);
    expect(records.every((r) => r.tenant === 'clinic-south')).toBe(true);
    expect(records.some((r) => r.actor === 'dr-lee')).toBe(false);
  });

  it('pages by sequence number and filters by actor', async () => {
    const first = await listAudit(admin, '?limit=2&actor=dr-lee');
    expect(first.records).toHaveLength(2);
    const second = await listAudit(admin, `?limit=2&actor=dr-lee&after=${first.nextAfter}`);
    expect(second.records[0].seq).toBeGreaterThan(first.records[1].seq);
    await admin.get('/v1/audit?limit=0').expect(400);
  });

  it('is append-only in the database itself', async () => {
    const db = sut.app.get(DataSource);
    await expect(db.query(`UPDATE audit_events SET actor = 'nobody' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('verifies as intact, through the API and the command, after many requests at once', async () => {
    const viewer = await sut.as('viewer');
    await Promise.all(Array.from({ length: 30 }, () => viewer.get('/v1/rules').expect(200)));
    const res = await admin.get('/v1/audit/verification').expect(200);
    expect(res.body).toMatchObject({ intact: true, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.checked).toBeGreaterThan(5);
    const command = verifyCommand(sut);
    expect(command).toEqual({ status: 0, output: expect.stringContaining('audit trail intact') });
  });

  it('detects a row tampered with behind its back, naming the first broken link', async () => {
    const db = sut.app.get(DataSource);
    // Someone with direct database access removes the guard and rewrites history.
    await db.query('DROP TRIGGER audit_events_no_update');
    await db.query(`UPDATE audit_events SET outcome = 'success', status = 200 WHERE seq = 5`);
    const res = await admin.get('/v1/audit/verification').expect(200);
    expect(res.body).toMatchObject({
      scope: 'organization',
      intact: false,
      checked: 4,
      firstBroken: { seq: 5, reason: expect.stringContaining('changed') },
    });
    // Another organization learns that the chain is broken, but nothing of a record that is not its own.
    const elsewhere = await (
      await sut.as('admin', { tenant: 'clinic-south' })
    )
      .get('/v1/audit/verification')
      .expect(200);
    expect(elsewhere.body).toEqual({ scope: 'organization', intact: false, checked: 0, head: '0'.repeat(64) });
    const command = verifyCommand(sut);
    expect(command.status).toBe(1);
    expect(command.output).toContain('BROKEN at record 5');
  });

  it('withholds the answer when the request cannot be recorded', async () => {
    const viewer = await sut.as('viewer');
    await sut.app.get(DataSource).destroy();
    const res = await viewer.get('/v1/rules');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(res.body.rules).toBeUndefined();
  });
});
