import request from 'supertest';
import { DataSource } from 'typeorm';

import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';
import type { SimTransport } from '../src/cuff-sim/sim-transport';
import type { VirtualTimers } from '../src/device-adapter/timers';
import { prescriptionRequest } from './factories';
import { BOTH_THIGHS, SessionHarness } from './device-session-harness';
import type { TestApp } from './test-app';

describe('device sessions over HTTP with a simulated cuff', () => {
  let harness: SessionHarness;
  let sut: TestApp;
  let timers: VirtualTimers;
  let transport: SimTransport;

  beforeAll(async () => {
    harness = await SessionHarness.start();
    ({ sut, timers } = harness);
    transport = harness.simulator;
  });

  afterAll(async () => {
    await harness.close();
  });

  const post = (path: string, body?: unknown, token?: string) => harness.post(path, body, token);
  const get = (path: string, token?: string) => harness.get(path, token);
  const approvedPlan = () => harness.approvedPlan();
  const push = (prescriptionId: string, body?: unknown) => harness.push(prescriptionId, body);
  const runToEnd = (sessionId: string) => harness.runToEnd(sessionId);
  /** Reads an event stream to its end, handing each chunk to `onChunk` as it arrives. */
  const readStream = (
    path: string,
    onChunk: (chunk: string) => void = () => undefined,
  ): Promise<request.Response & { text: string }> => {
    let text = '';
    return request(sut.http)
      .get(path)
      .auth(harness.clinician, { type: 'bearer' })
      .buffer(true)
      .parse((res, done) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          onChunk(chunk);
        });
        res.on('end', () => done(null, text));
      })
      .then((r) => Object.assign(r, { text }));
  };

  it('pushes an approved plan, runs the first session through on the cuff, and records the pressure held, the events and the adherence', async () => {
    const prescription = await approvedPlan();
    const pushed = await push(prescription.id);
    expect(pushed.status).toBe(201);
    const session = pushed.body;
    const first = prescription.plan.exercises[0];
    expect(session).toMatchObject({
      prescriptionId: prescription.id,
      patientRef: 'mrn-1001',
      deviceId: 'cuff-1',
      status: 'loaded',
      pressureBasis: 'first-session',
      createdBy: 'dr-lee',
    });
    expect(session.program.blocks).toHaveLength(1);
    expect(session.program.blocks[0]).toMatchObject({
      exerciseId: first.exercise.id,
      channel: 'A',
      targetMmHg: first.dose.pressure.startMmHg,
    });
    expect(session.events.map((e: { summary: string }) => e.summary)).toEqual([
      expect.stringMatching(/^SELF_TEST → OK/),
      expect.stringMatching(/^Self-test passed/),
      expect.stringMatching(/^PUSH_PROGRAM → OK.*PROGRAM_LOADED$/),
    ]);
    expect(harness.cuff('cuff-1').state).toBe('PROGRAM_LOADED');

    const started = await post(`/v1/device-sessions/${session.id}/start`).expect(200);
    expect(started.body).toMatchObject({ status: 'running', startedAt: expect.any(String) });
    await runToEnd(session.id);

    const record = (await get(`/v1/device-sessions/${session.id}`).expect(200)).body;
    expect(record).toMatchObject({
      status: 'completed',
      endReason: 'The program ran to its end.',
      endedAt: expect.any(String),
    });
    expect(record.program).toEqual(session.program);
    const target = first.dose.pressure.startMmHg;
    const work = record.sets.filter((s: { phase: string }) => s.phase === 'work');
    expect(work.map((s: { setIndex: number }) => s.setIndex)).toEqual([0, 1, 2, 3]);
    expect(
      record.sets.filter((s: { phase: string }) => s.phase === 'rest').map((s: { setIndex: number }) => s.setIndex),
    ).toEqual([0, 1, 2]);
    for (const set of record.sets) {
      expect(set).toMatchObject({
        blockIndex: 0,
        exerciseId: first.exercise.id,
        channel: 'A',
        targetMmHg: target,
        bandMmHg: 15,
      });
      expect(set.minMmHg).toBeLessThanOrEqual(set.meanMmHg);
      expect(set.meanMmHg).toBeLessThanOrEqual(set.maxMmHg);
      expect(Math.abs(set.meanMmHg - target)).toBeLessThan(15);
      expect(set.inBandS).toBeLessThanOrEqual(set.observedS);
    }
    const sets = session.program.blocks[0].sets as Array<{ workS: number }>;
    work.forEach((set: { observedS: number }, i: number) => expect(set.observedS).toBeCloseTo(sets[i].workS, -1));
    const { adherence } = record;
    expect(adherence.prescribedAtTargetS).toBe(
      sets.reduce((s, x) => s + x.workS, 0) + 3 * session.program.blocks[0].setRestS,
    );
    expect(adherence.adherence).toBeGreaterThan(0.8);
    expect(adherence.adherence).toBeLessThanOrEqual(1);
    expect(adherence.inBandS).toBeCloseTo(
      record.sets.reduce((s: number, x: { inBandS: number }) => s + x.inBandS, 0),
      0,
    );
    expect(record.alarms.filter((a: { action: string }) => a.action === 'deflated')).toEqual([]);
    expect(record.events.map((e: { summary: string }) => e.summary)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^START → OK/),
        expect.stringMatching(/^Block 1, set 4 completed/),
        'Cuff DEFLATING → DONE',
        'Program completed',
      ]),
    );
    expect(record.trace.channels.A.length).toBeGreaterThan(sets.reduce((s, x) => s + x.workS, 0));
    expect(Math.max(...record.trace.channels.A.map((p: number[]) => p[3]))).toBeLessThan(DEVICE_LIMITS.tripMmHg);
    expect(harness.cuff('cuff-1').state).toBe('DONE');
  });

  it('runs the next session of the plan with every exercise at the next step of the pressure ramp, on both cuffs, with reperfusion between blocks', async () => {
    const prescription = await approvedPlan();
    const first = (await push(prescription.id)).body;
    await post(`/v1/device-sessions/${first.id}/start`).expect(200);
    await runToEnd(first.id);

    const second = (await push(prescription.id)).body;
    expect(second.pressureBasis).toBe('ramp');
    expect(second.program.blocks.map((b: { targetMmHg: number }) => b.targetMmHg)).toEqual(
      prescription.plan.exercises.map((e) => e.dose.pressure.ramp[Math.min(1, e.dose.pressure.ramp.length - 1)].mmHg),
    );
    expect(new Set(second.program.blocks.map((b: { channel: string }) => b.channel))).toEqual(new Set(['A', 'B']));
    await post(`/v1/device-sessions/${second.id}/start`).expect(200);
    await runToEnd(second.id);

    const record = (await get(`/v1/device-sessions/${second.id}`).expect(200)).body;
    expect(record.status).toBe('completed');
    expect(
      record.alarms.filter((a: { source: string; action: string }) => a.source === 'server' || a.action === 'deflated'),
    ).toEqual([]);
    second.program.blocks.forEach((block: { channel: string; targetMmHg: number; sets: unknown[] }, i: number) => {
      const work = record.sets.filter(
        (s: { blockIndex: number; phase: string }) => s.blockIndex === i && s.phase === 'work',
      );
      expect(work).toHaveLength(block.sets.length);
      work.forEach((set: { channel: string; targetMmHg: number }) =>
        expect(set).toMatchObject({ channel: block.channel, targetMmHg: block.targetMmHg }),
      );
    });
    expect(record.adherence.channels.map((c: { channel: string }) => c.channel).sort()).toEqual(['A', 'B']);
    expect(record.adherence.adherence).toBeGreaterThan(0.8);

    // Stored: one row per set and inflated rest, a point a second, the log; not the 10 Hz samples.
    const db = sut.app.get(DataSource);
    const phases = second.program.blocks.reduce((n: number, b: { sets: unknown[] }) => n + 2 * b.sets.length - 1, 0);
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM device_session_sets WHERE session_id = $1', [second.id]);
    expect(Number(n)).toBe(phases);
    const seconds = (Date.parse(record.endedAt) - Date.parse(record.createdAt)) / 1000;
    for (const points of Object.values(record.trace.channels) as number[][][]) {
      expect(points.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    }
    const [{ events }] = await db.query('SELECT COUNT(*) AS events FROM device_session_events WHERE session_id = $1', [
      second.id,
    ]);
    expect(Number(events)).toBeLessThan(seconds);
  });

  it('streams a session live as server-sent events until it ends', async () => {
    const prescription = await approvedPlan();
    const session = (await push(prescription.id)).body;
    let text = '';
    let subscribed = () => undefined as void;
    const streamOpen = new Promise<void>((done) => (subscribed = done));
    const streaming = readStream(`/v1/device-sessions/${session.id}/telemetry`, (chunk) => {
      text += chunk;
      if (text.includes('event: status')) subscribed();
    });
    await streamOpen;
    await post(`/v1/device-sessions/${session.id}/start`).expect(200);
    await runToEnd(session.id);
    const res = await streaming;

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const frames = text
      .trim()
      .split('\n\n')
      .map((frame) => {
        const [event, data] = frame.split('\n');
        return { event: event.replace('event: ', ''), data: JSON.parse(data.replace('data: ', '')) };
      });
    expect(frames[0]).toMatchObject({ event: 'status', data: { status: 'loaded' } });
    expect(frames.filter((f) => f.event === 'status').map((f) => f.data.status)).toEqual([
      'loaded',
      'running',
      'completed',
    ]);
    const holding = frames.filter((f) => f.event === 'telemetry' && f.data.state === 'HOLDING');
    const workS = session.program.blocks[0].sets.reduce((sum: number, set: { workS: number }) => sum + set.workS, 0);
    expect(holding.length).toBeGreaterThanOrEqual(workS * 10 - 10);
    expect(holding[0].data.channels.find((c: { channel: string }) => c.channel === 'A')).toMatchObject({
      targetMmHg: session.program.blocks[0].targetMmHg,
      meanMmHg: expect.any(Number),
      inBand: expect.any(Boolean),
    });
    expect(frames.some((f) => f.event === 'event' && f.data.summary === 'Program completed')).toBe(true);
    const audited = await sut.app
      .get(DataSource)
      .query('SELECT actor, outcome FROM audit_events WHERE action = $1 AND resource_id = $2', [
        'GET /v1/device-sessions/:id/telemetry',
        session.id,
      ]);
    expect(audited).toEqual([{ actor: 'dr-lee', outcome: 'success' }]);

    const ended = await readStream(`/v1/device-sessions/${session.id}/telemetry`);
    const [only, ...more] = ended.text.trim().split('\n\n');
    expect(more).toEqual([]);
    expect(only.split('\n')[0]).toBe('event: status');
    expect(JSON.parse(only.split('\n')[1].replace('data: ', ''))).toMatchObject({
      type: 'status',
      status: 'completed',
      reason: 'The program ran to its end.',
    });
  });

  it('answers a retried push with the same Idempotency-Key with the first answer, without a second push', async () => {
    const prescription = await approvedPlan();
    const body = { deviceId: 'cuff-2', cuffs: BOTH_THIGHS };
    const first = await harness.whileRunning(
      post(`/v1/prescriptions/${prescription.id}/device-sessions`).set('idempotency-key', 'push-1').send(body),
    );
    expect(first.status).toBe(201);
    const sent = jest.spyOn(transport, 'send');
    try {
      const retry = await post(`/v1/prescriptions/${prescription.id}/device-sessions`)
        .set('idempotency-key', 'push-1')
        .send(body)
        .expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
    await post(`/v1/device-sessions/${first.body.id}/abort`).expect(200);
  });

  it('refuses a draft plan, an unknown cuff, an offline cuff and a channel the cuff does not have', async () => {
    const draft = (await post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
    expect(
      (
        await post(`/v1/prescriptions/${draft.id}/device-sessions`, { deviceId: 'cuff-1', cuffs: BOTH_THIGHS }).expect(
          409,
        )
      ).body.code,
    ).toBe('PRESCRIPTION_STATE_CONFLICT');

    const prescription = await approvedPlan();
    expect(
      (
        await post(`/v1/prescriptions/${prescription.id}/device-sessions`, {
          deviceId: 'cuff-99',
          cuffs: BOTH_THIGHS,
        }).expect(404)
      ).body.code,
    ).toBe('DEVICE_NOT_FOUND');
    const invalid = await post(`/v1/prescriptions/${prescription.id}/device-sessions`, {
      deviceId: 'cuff-2',
      cuffs: [{ channel: 'C', site: { limb: 'thigh', side: 'left' } }],
    }).expect(400);
    expect(invalid.body.errors[0].field).toBe('cuffs.0.channel');

    harness.simulator.cutLink('cuff-2');
    await timers.advance(3500);
    const offline = await post(`/v1/prescriptions/${prescription.id}/device-sessions`, {
      deviceId: 'cuff-2',
      cuffs: BOTH_THIGHS,
    }).expect(409);
    expect(offline.body).toMatchObject({ code: 'DEVICE_OFFLINE' });
    expect(offline.body.detail).toContain('cuff-2 is offline');
    harness.simulator.restoreLink('cuff-2');
    expect((await get('/v1/device-sessions/00000000-0000-4000-8000-000000000000').expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
  });

  it('refuses a plan whose site has no channel, naming the site, before anything is sent', async () => {
    const prescription = await approvedPlan();
    const sent = jest.spyOn(transport, 'send');
    try {
      const res = await push(prescription.id, { deviceId: 'cuff-2', cuffs: [BOTH_THIGHS[1]] });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PROGRAM_REFUSED');
      expect(res.body.detail).toContain('left thigh');
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
  });

  it('refuses an approved plan altered in storage to go over a limit with 422 naming the breach, before anything is sent', async () => {
    const prescription = await approvedPlan();
    const db = sut.app.get(DataSource);
    const [row] = await db.query('SELECT plan FROM prescriptions WHERE id = $1', [prescription.id]);
    const plan = JSON.parse(row.plan);
    plan.exercises[0].dose.pressure.startLopPercent = 95;
    plan.exercises[0].dose.pressure.startMmHg = Math.round(0.95 * plan.exercises[0].dose.pressure.lop.mmHg);
    await db.query('UPDATE prescriptions SET plan = $1 WHERE id = $2', [JSON.stringify(plan), prescription.id]);
    const sent = jest.spyOn(transport, 'send');
    try {
      const res = await push(prescription.id);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PROGRAM_REFUSED');
      expect(res.body.breaches).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ requirement: 'SR-2', path: 'blocks.0.targetPct' }),
          expect.objectContaining({ requirement: 'envelope', path: 'blocks.0.targetPct' }),
        ]),
      );
      expect(res.body.detail).toContain('SR-2: target 95 % LOP is above 80 %');
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM device_sessions WHERE prescription_id = $1', [
      prescription.id,
    ]);
    expect(Number(n)).toBe(0);
  });

  it('keeps sessions to the organization of the plan', async () => {
    const prescription = await approvedPlan();
    const session = (await push(prescription.id)).body;
    const other = await sut.tokenFor(['clinician', 'viewer'], { tenant: 'clinic-south' });
    expect((await get(`/v1/device-sessions/${session.id}`, other).expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
    expect((await get(`/v1/device-sessions/${session.id}/telemetry`, other).expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
    expect((await post(`/v1/device-sessions/${session.id}/start`, undefined, other).expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
    // The simulated cuffs belong to clinic-north: another organization does not see them at all.
    expect((await get('/v1/devices', other).expect(200)).body.items).toEqual([]);
    const ours = (await get('/v1/devices', await sut.tokenFor('viewer')).expect(200)).body;
    expect(ours).toMatchObject({ transport: 'simulator' });
    expect(ours.items.find((d: { deviceId: string }) => d.deviceId === 'cuff-1')).toMatchObject({
      sessionId: session.id,
      busy: true,
      online: true,
      channels: ['A', 'B'],
    });
    expect(
      (
        await post(`/v1/prescriptions/${prescription.id}/device-sessions`, {
          deviceId: 'cuff-1',
          cuffs: BOTH_THIGHS,
        }).expect(409)
      ).body.code,
    ).toBe('DEVICE_BUSY');
    await post(`/v1/device-sessions/${session.id}/abort`).expect(200);
    expect((await post(`/v1/device-sessions/${session.id}/start`).expect(409)).body.code).toBe(
      'DEVICE_SESSION_STATE_CONFLICT',
    );
  });
});
