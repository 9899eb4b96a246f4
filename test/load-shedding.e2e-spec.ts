import request from 'supertest';
import { DataSource } from 'typeorm';

import { RETRY_AFTER_SECONDS } from '../src/common/problem';
import { screeningRequest } from './factories';
import { startTestApp, type TestApp } from './test-app';

describe('load is shed, not queued', () => {
  let sut: TestApp;
  let token: string;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', SHED_DATABASE_QUEUE: '4', SHED_EVENT_LOOP_DELAY_MS: '100' });
    token = await sut.tokenFor('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  const screen = () =>
    request(sut.http).post('/v1/screenings').auth(token, { type: 'bearer' }).send(screeningRequest());
  const stored = async () => Number((await sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM screenings'))[0].n);

  function expectShed(res: request.Response) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  }

  it('answers a burst beyond the database queue with 201 or 503 + Retry-After, stores only what it acknowledged, and recovers', async () => {
    const before = await stored();
    const [burst, health] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, screen)),
      request(sut.http).get('/health'),
    ]);
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    burst.filter((r) => r.status === 503).forEach(expectShed);
    expect(health.status).toBe(200);
    expect((await stored()) - before).toBe(statuses.filter((s) => s === 201).length);
    await screen().expect(201);
  });

  it('sheds while the event loop is behind, stores nothing it answered 503, keeps answering /health, and recovers', async () => {
    const before = await stored();
    let acknowledged = 0;
    // Work in 150 ms slices holds the loop as a burst of requests would, while requests keep arriving.
    let saturated = true;
    const hog = () => {
      const until = Date.now() + 150;
      while (Date.now() < until) {
        // busy
      }
      if (saturated) {
        setImmediate(hog);
      }
    };
    setImmediate(hog);
    let shed: request.Response | undefined;
    try {
      for (let attempt = 0; attempt < 40 && !shed; attempt++) {
        const res = await screen();
        acknowledged += res.status === 201 ? 1 : 0;
        shed = res.status === 503 ? res : undefined;
      }
    } finally {
      saturated = false;
    }
    expectShed(shed!);
    expect((await request(sut.http).get('/health')).status).toBe(200);
    let recovered = false;
    for (let attempt = 0; attempt < 200 && !recovered; attempt++) {
      recovered = (await screen()).status === 201;
      acknowledged += recovered ? 1 : 0;
    }
    expect(recovered).toBe(true);
    // A shed request never reaches its route: what was stored is what was acknowledged.
    expect((await stored()) - before).toBe(acknowledged);
  });
});

describe('requests in progress are bounded', () => {
  const HOLD_MS = 300;
  let sut: TestApp;
  let token: string;

  beforeAll(async () => {
    // Only the bound on requests in progress sheds here.
    sut = await startTestApp({
      RATE_LIMIT_PER_MINUTE: '0',
      SHED_IN_PROGRESS: '3',
      SHED_DATABASE_QUEUE: '0',
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_HOLD_MS: String(HOLD_MS),
    });
    token = await sut.tokenFor('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers the requests beyond the bound 503 before routing them, stores only what it acknowledged, answers /health, and recovers', async () => {
    const stored = async () =>
      Number((await sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM screenings'))[0].n);
    const before = await stored();
    const screen = () =>
      request(sut.http).post('/v1/screenings').auth(token, { type: 'bearer' }).send(screeningRequest());
    const sentAt = performance.now();
    const answeredAfter: number[] = [];
    const [burst, health] = await Promise.all([
      Promise.all(
        Array.from({ length: 30 }, () =>
          screen().then((res) => {
            answeredAfter.push(res.status === 503 ? performance.now() - sentAt : Infinity);
            return res;
          }),
        ),
      ),
      request(sut.http).get('/health'),
    ]);
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    // A refusal is held back, so that a client asking again at once cannot flood the event loop.
    expect(Math.min(...answeredAfter)).toBeGreaterThanOrEqual(HOLD_MS - 1);
    for (const res of burst.filter((r) => r.status === 503)) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(res.body).toMatchObject({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        instance: '/v1/screenings',
        requestId: res.headers['x-request-id'],
      });
      expect(res.body.detail).toContain('too many requests are in progress');
    }
    expect(health.status).toBe(200);
    expect((await stored()) - before).toBe(statuses.filter((s) => s === 201).length);
    await screen().expect(201);
  });
});

describe('the bound on requests in progress adapts to how fast they are answered', () => {
  let sut: TestApp;
  let token: string;

  beforeAll(async () => {
    // Only the bound on requests in progress sheds here, and answers slower than 50 ms are late.
    sut = await startTestApp({
      RATE_LIMIT_PER_MINUTE: '0',
      // It starts at a quarter of this, 50: above the burst below.
      SHED_IN_PROGRESS: '200',
      SHED_TARGET_MS: '50',
      SHED_DATABASE_QUEUE: '0',
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_HOLD_MS: '0',
    });
    token = await sut.tokenFor('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  it('admits fewer than the ceiling at once after answers came late', async () => {
    const screen = () =>
      request(sut.http).post('/v1/screenings').auth(token, { type: 'bearer' }).send(screeningRequest());
    const burst = async () => (await Promise.all(Array.from({ length: 40 }, screen))).map((r) => r.status);
    // Work in 30 ms slices holds the loop, so every answer is late.
    let slow = true;
    const hog = () => {
      const until = Date.now() + 30;
      while (Date.now() < until) {
        // busy
      }
      if (slow) {
        setImmediate(hog);
      }
    };
    setImmediate(hog);
    try {
      for (let i = 0; i < 5; i++) {
        await screen().expect(201);
      }
    } finally {
      slow = false;
    }
    const afterLateAnswers = await burst();
    expect(afterLateAnswers.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(afterLateAnswers.filter((s) => s === 503).length).toBeGreaterThan(0);

    // The bound never closes the door: a request on its own is admitted (the floor is 4).
    await screen().expect(201);
  });
});
