import { randomBytes } from 'node:crypto';

import request from 'supertest';
import { DataSource, In } from 'typeorm';

import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SystemClock } from '../../src/common/clock';
import { RETRY_AFTER_SECONDS } from '../../src/common/problem';
import { dataSourceOptions } from '../../src/database/data-source';
import { insertRows } from '../../src/database/insert-rows';
import { ENTITIES } from '../../src/entities';
import { CdsCardRecord } from '../../src/ehr/cds-hooks/cds-card.entity';
import { StoredTokenIds } from '../../src/ehr/cds-hooks/stored-token-ids';
import { RulesetVersionRecord } from '../../src/rules/ruleset-version.entity';
import { SessionHarness } from '../device-session-harness';
import { onScreeningDay, prescriptionRequest, screeningRequest } from '../factories';
import { startTestApp } from '../test-app';

/**
 * Runs against a real PostgreSQL server (CI has one at 127.0.0.1:5432, database `test`, trust
 * auth). Each run works in a schema of its own and drops it afterwards.
 */
const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bfr_it_${randomBytes(4).toString('hex')}`;
const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

async function admin<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource({ type: 'postgres', url: SERVER }).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

describe('PostgreSQL', () => {
  beforeAll(async () => {
    await admin((db) => db.query(`CREATE SCHEMA ${schema}`));
  });

  afterAll(async () => {
    await admin((db) => db.query(`DROP SCHEMA ${schema} CASCADE`));
  });

  it('runs every migration, and reverts them', async () => {
    const db = await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize();
    try {
      expect(await db.showMigrations()).toBe(false);
      const tables = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual([
        'audit_events',
        'cds_cards',
        'cds_feedback',
        'cds_token_ids',
        'device_command_sequences',
        'device_leases',
        'device_session_alarms',
        'device_session_commands',
        'device_session_events',
        'device_session_sets',
        'device_sessions',
        'idempotency_keys',
        'lop_measurements',
        'migrations',
        'prescriptions',
        'ruleset_versions',
        'screenings',
      ]);
      await db.undoLastMigration();
      expect(await db.showMigrations()).toBe(true);
      await db.runMigrations();
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it('round-trips a record with its timestamp intact', async () => {
    const db = await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize();
    try {
      const repository = db.getRepository(RulesetVersionRecord);
      const record = {
        version: 'f'.repeat(64),
        ruleCount: 3,
        content: '{"a":1}',
        firstLoadedAt: new Date('2026-11-21T08:30:00.123Z'),
      };
      await repository.save(record);
      expect(await repository.findOneByOrFail({ version: record.version })).toEqual(record);
      await repository.delete({ version: record.version });
    } finally {
      await db.destroy();
    }
  });

  it('inserts several rows in one statement as TypeORM stores them, or none of them', async () => {
    const db = await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize();
    const card = (uuid: string): CdsCardRecord => ({
      uuid,
      issuer: 'https://ehr.example',
      serviceId: 'bfr-screening',
      hookInstance: randomBytes(8).toString('hex'),
      indicator: 'warning',
      patient: null,
      rulesetVersion: 'e'.repeat(64),
      rules: '[{"ruleId":"ci.vte-history","version":1}]',
      suggestions: '[]',
      overrideReasons: '[]',
      issuedAt: new Date('2026-11-21T08:30:00.123Z'),
    });
    const [first, second, third] = [0, 1, 2].map(() => card(randomBytes(16).toString('hex').slice(0, 36)));
    try {
      const repository = db.getRepository(CdsCardRecord);
      await insertRows(db.manager, CdsCardRecord, [first, second]);
      expect(await repository.findOneByOrFail({ uuid: second.uuid })).toEqual(second);
      await expect(insertRows(db.manager, CdsCardRecord, [third, first])).rejects.toThrow(/duplicate/);
      expect(await repository.findOneBy({ uuid: third.uuid })).toBeNull();
      await repository.delete({ uuid: In([first.uuid, second.uuid]) });
    } finally {
      await db.destroy();
    }
  });

  it('serves the application on PostgreSQL and records the ruleset version once', async () => {
    const first = await startTestApp({ DATABASE_URL: url });
    await first.close();
    const sut = await startTestApp({ DATABASE_URL: url });
    try {
      const health = await request(sut.http).get('/health').expect(200);
      expect(health.body.checks.database).toMatchObject({ status: 'up', kind: 'postgres' });
      await request(sut.http)
        .get('/v1/rules/ci.vte-history')
        .auth(await sut.tokenFor('viewer'), { type: 'bearer' })
        .expect(200);
      const rows = await sut.app.get(DataSource).query('SELECT version FROM ruleset_versions');
      expect(rows).toEqual([{ version: health.body.checks.rules.rulesetVersion }]);
      const audit = await request(sut.http)
        .get('/v1/audit/verification')
        .auth(await sut.tokenFor('admin'), { type: 'bearer' })
        .expect(200);
      expect(audit.body.intact).toBe(true);
    } finally {
      await sut.close();
    }
  });

  it('answers /health from a connection of its own while every pooled connection is taken', async () => {
    const sut = await startTestApp({ DATABASE_URL: url });
    const dataSource = sut.app.get(DataSource);
    const held: Array<ReturnType<DataSource['createQueryRunner']>> = [];
    let waiting: Promise<unknown> | undefined;
    try {
      // node-postgres pools 10 connections unless told otherwise, and the service tells it nothing.
      for (let i = 0; i < 10; i += 1) {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        held.push(runner);
      }
      // Served once a connection is given back, or refused when the pool's time-out comes first.
      waiting = dataSource.query('SELECT 1').catch(() => undefined);
      const queued = await Promise.race([
        waiting.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 500)),
      ]);
      expect(queued).toBe(true);
      const health = await request(sut.http).get('/health').expect(200);
      expect(health.body.checks.database).toMatchObject({ status: 'up', kind: 'postgres' });
      // A write that gets no connection within the pool's time-out did nothing, and says to retry.
      const before = await held[0].query('SELECT COUNT(*)::int AS n FROM screenings');
      const refused = await request(sut.http)
        .post('/v1/screenings')
        .auth(await sut.tokenFor('clinician'), { type: 'bearer' })
        .send(screeningRequest())
        .expect(503);
      expect(refused.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(refused.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(refused.body.detail).toContain('nothing was changed');
      expect(await held[0].query('SELECT COUNT(*)::int AS n FROM screenings')).toEqual(before);
    } finally {
      for (const runner of held) {
        await runner.rollbackTransaction();
        await runner.release();
      }
      await waiting;
      await sut.close();
    }
  }, 30_000); // the pool's time-out (5 s) is waited out once

  it('makes, pages, revises and approves plans on PostgreSQL', async () => {
    const sut = await startTestApp({ DATABASE_URL: url }, { clock: onScreeningDay() });
    try {
      const token = await sut.tokenFor('clinician');
      const post = (path: string, body: object) =>
        request(sut.http).post(path).auth(token, { type: 'bearer' }).send(body);
      const first = (await post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
      const second = (await post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
      const page = await request(sut.http)
        .get('/v1/prescriptions?patient=mrn-1001&limit=1')
        .auth(token, { type: 'bearer' })
        .expect(200);
      const next = await request(sut.http)
        .get(`/v1/prescriptions?patient=mrn-1001&limit=1&cursor=${page.body.nextCursor}`)
        .auth(token, { type: 'bearer' })
        .expect(200);
      expect([...page.body.items, ...next.body.items].map((i: { id: string }) => i.id).sort()).toEqual(
        [first.id, second.id].sort(),
      );

      const revision = (await post(`/v1/prescriptions/${first.id}/revisions`, prescriptionRequest()).expect(201)).body;
      const acknowledgements = revision.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
      await post(`/v1/prescriptions/${revision.id}/approve`, { acknowledgements }).expect(200);
      const old = await request(sut.http)
        .get(`/v1/prescriptions/${first.id}`)
        .auth(token, { type: 'bearer' })
        .expect(200);
      expect(old.body).toMatchObject({ status: 'superseded', supersededBy: revision.id, plan: first.plan });
    } finally {
      await sut.close();
    }
  });

  it('runs a device session on PostgreSQL: program, per-set statistics, events, alarms, trace', async () => {
    const harness = await SessionHarness.start({ DATABASE_URL: url });
    try {
      const plan = await harness.approvedPlan();
      const session = (await harness.push(plan.id)).body;
      await harness.post(`/v1/device-sessions/${session.id}/start`).expect(200);
      await harness.advanceUntil(() => harness.cuff('cuff-1').state === 'SET_REST', 600_000);
      await harness.post(`/v1/device-sessions/${session.id}/pause`).expect(200);
      await harness.run(10_000);
      await harness.post(`/v1/device-sessions/${session.id}/resume`).expect(200);
      await harness.runToEnd(session.id);
      const record = (await harness.get(`/v1/device-sessions/${session.id}`).expect(200)).body;
      expect(record).toMatchObject({ status: 'completed', program: session.program });
      const keys = record.sets.map(
        (s: { blockIndex: number; setIndex: number; phase: string }) => `${s.blockIndex}:${s.setIndex}:${s.phase}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
      expect(record.sets.filter((s: { phase: string }) => s.phase === 'work')).toHaveLength(
        session.program.blocks[0].sets.length,
      );
      expect(typeof record.sets[0].meanMmHg).toBe('number');
      expect(record.events.length).toBeGreaterThan(10);
      expect(record.adherence.adherence).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });

  it('keeps one unbroken audit chain when two replicas append at once, and refuses edits', async () => {
    const replicas = await Promise.all(
      [1, 2].map(() => new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize()),
    );
    try {
      const trails = replicas.map((db) => new AuditTrail(db, new SystemClock()));
      const entry = (n: number) => ({
        actor: `user-${n}`,
        tenant: 'clinic-north',
        roles: ['clinician'],
        action: 'GET /v1/rules',
        resourceId: null,
        outcome: 'success' as const,
        status: 200,
        requestId: `req-${n}`,
      });
      await Promise.all(Array.from({ length: 40 }, (_, n) => trails[n % 2].record(entry(n))));
      const verification = await trails[0].verify();
      expect(verification).toMatchObject({ intact: true });
      expect(verification.checked).toBeGreaterThanOrEqual(40);
      await expect(replicas[0].query(`UPDATE audit_events SET actor = 'x' WHERE seq = 1`)).rejects.toThrow(
        /append-only/,
      );
      await expect(replicas[0].query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    } finally {
      await Promise.all(replicas.map((db) => db.destroy()));
    }
  });

  it('refuses a CDS Hooks token id a second replica already used, at the same instant too', async () => {
    const replicas = await Promise.all(
      [1, 2].map(() => new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize()),
    );
    try {
      const ledgers = replicas.map((db) => new StoredTokenIds(db, new SystemClock()));
      const keepUntil = new Date(Date.now() + 600_000);
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, n) => ledgers[n % 2].claim('https://ehr.clinic.example', 'jti-1', keepUntil)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await ledgers[0].claim('https://ehr.clinic.example', 'jti-2', keepUntil)).toBe(true);
    } finally {
      await Promise.all(replicas.map((db) => db.destroy()));
    }
  });

  it('lets no NUL byte reach PostgreSQL: the refusals are 400, and every clinician write alongside is answered and recorded', async () => {
    const sut = await startTestApp({ DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: '0' }, { clock: onScreeningDay() });
    try {
      const clinician = await sut.tokenFor('clinician');
      const auditor = await sut.tokenFor('admin');
      // PostgreSQL refuses a NUL in text ("invalid byte sequence for encoding UTF8: 0x00"): once, in a
      // grouped audit insert, it failed every request of the group.
      const hostile = Array.from(
        { length: 30 },
        (_, i) =>
          [
            request(sut.http).get('/v1/prescriptions/%00'),
            request(sut.http).get('/v1/prescriptions?patient=a%00').auth(clinician, { type: 'bearer' }),
            request(sut.http).get('/v1/audit?actor=%00').auth(auditor, { type: 'bearer' }),
          ][i % 3],
      );
      const writes = Array.from({ length: 12 }, () =>
        request(sut.http).post('/v1/prescriptions').auth(clinician, { type: 'bearer' }).send(prescriptionRequest()),
      );
      const [refused, written] = await Promise.all([Promise.all(hostile), Promise.all(writes)]);
      expect(refused.map((r) => r.status)).toEqual(refused.map(() => 400));
      expect(written.map((r) => r.status)).toEqual(written.map(() => 201));
      const ids = written.map((r) => r.headers['x-request-id']);
      const recorded = await sut.app
        .get(DataSource)
        .query('SELECT status FROM audit_events WHERE request_id = ANY($1)', [ids]);
      expect(recorded).toEqual(ids.map(() => ({ status: 201 })));
      expect(
        (await request(sut.http).get('/v1/audit/verification').auth(auditor, { type: 'bearer' }).expect(200)).body
          .intact,
      ).toBe(true);
    } finally {
      await sut.close();
    }
  });
});
