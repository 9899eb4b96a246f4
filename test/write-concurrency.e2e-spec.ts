import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { createApp } from '../src/app';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { mintToken } from '../src/auth/development-issuer';
import { type AppConfig, loadConfig } from '../src/config/config';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { onScreeningDay, prescriptionRequest, screeningRequest } from './factories';
import { CLINIC } from './test-app';

const CLIENTS = 8;
const ROUNDS = 6;

interface Acknowledged {
  path: string;
  status: number;
  requestId: string;
  /** What a later read must show. */
  expect: { id: string; status?: string };
}

/**
 * Several clinicians writing at once on the embedded SQLite database: every acknowledged write
 * survives a restart with its audit record, every refused one changed nothing, and the chain holds.
 */
describe('concurrent writes on SQLite', () => {
  let dir: string;
  let config: AppConfig;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-concurrency-'));
    config = loadConfig({
      DATABASE_URL: `sqlite:${join(dir, 'bfr-rx.sqlite')}`,
      AUTH_DEV_KEY_FILE: join(dir, 'dev-issuer-key.json'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      // Every request must be admitted here; shedding is the overload test's.
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_DATABASE_QUEUE: '0',
    });
    app = await createApp(config, { clock: onScreeningDay() });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = (subject: string, roles: Array<'clinician' | 'admin'> = ['clinician']) =>
    config.auth.mode === 'development' ? mintToken(config.auth, { subject, tenant: CLINIC, roles, ttlSeconds: 600, now: new Date() }) : Promise.reject(new Error('needs the development issuer'));

  it('keeps every acknowledged write and its audit record, and applies no refused one', async () => {
    const acknowledged: Acknowledged[] = [];
    const refused: Array<{ path: string; status: number; body: unknown }> = [];

    const client = async (n: number) => {
      const bearer = await token(`dr-${n}`);
      const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
        const res = await request(app.getHttpServer()).post(path).auth(bearer, { type: 'bearer' }).set(headers).send(body);
        if (res.status >= 300) {
          refused.push({ path, status: res.status, body: res.body });
        }
        return res;
      };
      for (let round = 0; round < ROUNDS; round++) {
        const screening = await post('/v1/screenings', screeningRequest());
        if (screening.status === 201) {
          acknowledged.push({ path: '/v1/screenings', status: 201, requestId: screening.headers['x-request-id'], expect: { id: screening.body.id } });
        }
        const key = `client-${n}-round-${round}`;
        const created = await post('/v1/prescriptions', prescriptionRequest(), { 'idempotency-key': key });
        if (created.status !== 201) {
          continue;
        }
        const retried = await post('/v1/prescriptions', prescriptionRequest(), { 'idempotency-key': key });
        expect(retried.body.id).toBe(created.body.id);
        const id: string = created.body.id;
        let status = 'draft';
        acknowledged.push({ path: '/v1/prescriptions', status: 201, requestId: created.headers['x-request-id'], expect: { id } });
        const acknowledgements = (created.body.plan.cautions as Array<{ id: string }>).map((c) => ({ caution: c.id }));
        const approved = await post(`/v1/prescriptions/${id}/approve`, { acknowledgements });
        if (approved.status === 200) {
          status = 'approved';
          acknowledged.push({ path: 'approve', status: 200, requestId: approved.headers['x-request-id'], expect: { id } });
        }
        if (round % 3 === 2) {
          const cancelled = await post(`/v1/prescriptions/${id}/cancel`, { reason: 'Protocol changed.' });
          if (cancelled.status === 200) {
            status = 'cancelled';
            acknowledged.push({ path: 'cancel', status: 200, requestId: cancelled.headers['x-request-id'], expect: { id } });
          }
        }
        acknowledged.filter((a) => a.expect.id === id).forEach((a) => (a.expect.status = status));
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(CLIENTS * ROUNDS * 3);

    await app.close();
    app = await createApp(config, { clock: onScreeningDay() });
    const reader = await token('dr-reader');
    for (const write of acknowledged) {
      const path = write.path === '/v1/screenings' ? `/v1/screenings/${write.expect.id}` : `/v1/prescriptions/${write.expect.id}`;
      const res = await request(app.getHttpServer()).get(path).auth(reader, { type: 'bearer' }).expect(200);
      if (write.expect.status) {
        expect({ id: res.body.id, status: res.body.status }).toEqual(write.expect);
      }
    }
    const admin = await token('auditor', ['admin']);
    const verification = await request(app.getHttpServer()).get('/v1/audit/verification').auth(admin, { type: 'bearer' }).expect(200);
    expect(verification.body).toMatchObject({ intact: true });

    const db = await new DataSource({ ...dataSourceOptions(config.database, ENTITIES), migrationsRun: false }).initialize();
    try {
      const events = await db.getRepository(AuditEvent).find({ select: ['requestId', 'status', 'outcome'] });
      const byRequest = new Map(events.map((e) => [e.requestId, e]));
      const recorded = acknowledged.map((a) => ({ requestId: a.requestId, status: byRequest.get(a.requestId)?.status }));
      expect(recorded).toEqual(acknowledged.map((a) => ({ requestId: a.requestId, status: a.status })));
      // One record per request: a write's record is not written a second time by the answer.
      expect(events.filter((e) => acknowledged.some((a) => a.requestId === e.requestId))).toHaveLength(acknowledged.length);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
