import request from 'supertest';
import { DataSource } from 'typeorm';

import { startTestApp, type TestApp } from './test-app';

describe('GET /health', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('reports the database, the loaded rules and the cuff transport as up', async () => {
    const res = await request(sut.http).get('/health').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'up', kind: 'sqlite', latencyMs: expect.any(Number) },
        rules: { status: 'up', rulesetVersion: expect.stringMatching(/^[0-9a-f]{64}$/), ruleCount: expect.any(Number) },
        cuffs: { status: 'up', transport: 'simulator', devicesKnown: 2, devicesOnline: 2 },
      },
    });
  });

  it('answers 503 with the same report when the database is gone, without naming where it was', async () => {
    await sut.app.get(DataSource).destroy();
    const res = await request(sut.http).get('/health').expect(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.database).toMatchObject({ status: 'down', detail: 'the database did not answer' });
    expect(res.body.checks.rules.status).toBe('up');
  });
});
