import { DataSource } from 'typeorm';

import { AuditEvent } from '../src/audit/audit-event.entity';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { onScreeningDay, prescriptionRequest, screeningRequest } from './factories';
import { startTestApp, type TestApp } from './test-app';

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
  let sut: TestApp;

  beforeAll(async () => {
    // Every request must be admitted here; rate limits and shedding are other tests'.
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', SHED_DATABASE_QUEUE: '0' }, { clock: onScreeningDay() });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('keeps every acknowledged write and its audit record, and applies no refused one', async () => {
    const acknowledged: Acknowledged[] = [];
    const refused: Array<{ path: string; status: number; body: unknown }> = [];

    const client = async (n: number) => {
      const clinician = await sut.as('clinician', { subject: `dr-${n}` });
      const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
        const res = await clinician.post(path, body).set(headers);
        if (res.status >= 300) {
          refused.push({ path, status: res.status, body: res.body });
        }
        return res;
      };
      for (let round = 0; round < ROUNDS; round++) {
        const screening = await post('/v1/screenings', screeningRequest());
        if (screening.status === 201) {
          acknowledged.push({
            path: '/v1/screenings',
            status: 201,
            requestId: screening.headers['x-request-id'],
            expect: { id: screening.body.id },
          });
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
        acknowledged.push({
          path: '/v1/prescriptions',
          status: 201,
          requestId: created.headers['x-request-id'],
          expect: { id },
        });
        const acknowledgements = (created.body.plan.cautions as Array<{ id: string }>).map((c) => ({ caution: c.id }));
        const approved = await post(`/v1/prescriptions/${id}/approve`, { acknowledgements });
        if (approved.status === 200) {
          status = 'approved';
          acknowledged.push({
            path: 'approve',
            status: 200,
            requestId: approved.headers['x-request-id'],
            expect: { id },
          });
        }
        if (round % 3 === 2) {
          const cancelled = await post(`/v1/prescriptions/${id}/cancel`, { reason: 'Protocol changed.' });
          if (cancelled.status === 200) {
            status = 'cancelled';
            acknowledged.push({
              path: 'cancel',
              status: 200,
              requestId: cancelled.headers['x-request-id'],
              expect: { id },
            });
          }
        }
        acknowledged.filter((a) => a.expect.id === id).forEach((a) => (a.expect.status = status));
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(CLIENTS * ROUNDS * 3);

    await sut.restart();
    const reader = await sut.as('clinician', { subject: 'dr-reader' });
    for (const write of acknowledged) {
      const path =
        write.path === '/v1/screenings' ? `/v1/screenings/${write.expect.id}` : `/v1/prescriptions/${write.expect.id}`;
      const res = await reader.get(path).expect(200);
      if (write.expect.status) {
        expect({ id: res.body.id, status: res.body.status }).toEqual(write.expect);
      }
    }
    const admin = await sut.as('admin', { subject: 'auditor' });
    const verification = await admin.get('/v1/audit/verification').expect(200);
    expect(verification.body).toMatchObject({ intact: true });

    const db = await new DataSource({
      ...dataSourceOptions(sut.config.database, ENTITIES),
      migrationsRun: false,
    }).initialize();
    try {
      const events = await db.getRepository(AuditEvent).find({ select: ['requestId', 'status', 'outcome'] });
      const byRequest = new Map(events.map((e) => [e.requestId, e]));
      const recorded = acknowledged.map((a) => ({
        requestId: a.requestId,
        status: byRequest.get(a.requestId)?.status,
      }));
      expect(recorded).toEqual(acknowledged.map((a) => ({ requestId: a.requestId, status: a.status })));
      // One record per request: a write's record is not written a second time by the answer.
      expect(events.filter((e) => acknowledged.some((a) => a.requestId === e.requestId))).toHaveLength(
        acknowledged.length,
      );
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
