import type request from 'supertest';
import { DataSource } from 'typeorm';

import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';
import { ReplicaDuties } from '../src/device-session/replica-duties';
import { SessionJournal } from '../src/device-session/session-journal';
import { BOTH_THIGHS, SessionHarness } from './device-session-harness';

/** "Within 2 s": the ack deadline plus one step of the supervisor's clock. */
const MARGIN_MS = 100;

/** Faults injected into the simulated cuff or its link while the real app supervises a session. */
describe('device session faults', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    harness = await SessionHarness.start();
  });

  afterAll(async () => {
    await harness.close();
  });

  /**
   * Runs virtual time until `command` is sent, then exactly to the ack deadline plus a margin, and
   * no further: the answer must then come without the clock moving on.
   */
  async function answeredWithinAckDeadline(
    pending: PromiseLike<request.Response>,
    command: string,
  ): Promise<request.Response> {
    let sentAt: number | undefined;
    const send = harness.transport.send.bind(harness.transport);
    const spy = jest.spyOn(harness.transport, 'send').mockImplementation((deviceId, sent, epoch) => {
      sentAt ??= sent.type === command ? harness.timers.now() : undefined;
      return send(deviceId, sent, epoch);
    });
    try {
      let response: request.Response | undefined;
      const answer = Promise.resolve(pending).then((r) => (response = r));
      await harness.timers.advanceUntil(() => sentAt !== undefined || response !== undefined, {
        timeoutMs: 60_000,
        stepMs: 10,
        realPauseMs: 1,
      });
      expect(sentAt).toBeDefined();
      await harness.timers.advanceTo((sentAt as number) + DEVICE_LIMITS.ackDeadlineMs + MARGIN_MS);
      // The clock stays put from here: an answer that waits for more time never comes, and the test's timeout fails it.
      return await answer;
    } finally {
      spy.mockRestore();
    }
  }

  const record = async (id: string) => (await harness.get(`/v1/device-sessions/${id}`).expect(200)).body;

  /** Puts a cuff back to service after a test broke it: link up, acks on, alarm cleared. */
  async function mend(deviceId: string): Promise<void> {
    const { transport, timers } = harness;
    harness.simulator.restoreLink(deviceId);
    harness.cuff(deviceId).faults.neverAck(false);
    const sim = harness.cuff(deviceId);
    await timers.advanceUntil(() => ['IDLE', 'READY', 'DONE', 'ABORTED', 'FAULT'].includes(sim.state), {
      timeoutMs: 30_000,
      stepMs: 100,
    });
    if (sim.state === 'FAULT') {
      // Under the epoch of the cuff's last lease: the cuff refuses a command below it.
      const [lease] = await harness.sut.app
        .get(DataSource)
        .query('SELECT epoch FROM device_leases WHERE device_id = $1', [deviceId]);
      await transport.send(deviceId, { type: 'CLEAR_ALARM', body: {} }, lease ? Number(lease.epoch) : undefined);
    }
    await timers.advance(1000);
  }

  it('cut link while inflated: the cuff deflates on its own within 5 s, and the session ends aborted with an alarm', async () => {
    const { timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    const sim = harness.cuff('cuff-1');
    expect(sim.pressure('A')).toBeGreaterThan(50);

    harness.simulator.cutLink('cuff-1');
    const cutAt = timers.now();
    const deflatingAfter = await timers.advanceUntil(() => sim.state === 'ALARM_DEFLATING', {
      timeoutMs: 10_000,
      stepMs: 100,
    });
    expect(deflatingAfter).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 100);
    await timers.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, { timeoutMs: 5000, stepMs: 100 });
    expect(harness.supervisor.session(id)).toBeUndefined();

    const session = await record(id);
    expect(session.status).toBe('aborted');
    expect(Date.parse(session.endedAt) - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.telemetryStaleMs + 100);
    expect(session.alarms[0]).toMatchObject({
      source: 'server',
      action: 'deflated',
      code: expect.stringMatching(/^(TELEMETRY_LOST|DEVICE_OFFLINE)$/),
    });
    expect(session.alarms.map((a: { code: string }) => a.code)).toContain('DEFLATE_UNCONFIRMED');
    await mend('cuff-1');
  });

  it('a cuff that never acknowledges: the start answers DEVICE_NO_ACK within 2 s, the session is aborted, and nothing stays inflated', async () => {
    const { timers } = harness;
    const plan = await harness.approvedPlan();
    const pushed = await harness.push(plan.id, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS });
    expect(pushed.status).toBe(201);
    const session = pushed.body;
    const sim = harness.cuff('cuff-2');
    sim.faults.neverAck(true);

    const res = await answeredWithinAckDeadline(harness.post(`/v1/device-sessions/${session.id}/start`), 'START');
    expect(res.status).toBe(504);
    expect(res.body.code).toBe('DEVICE_NO_ACK');
    // The silent cuff did carry out START; the deflate sent on the missing ack brings it down.
    await timers.advanceUntil(
      () => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg && sim.pressure('B') <= DEVICE_LIMITS.deflatedMmHg,
      { timeoutMs: 10_000, stepMs: 100 },
    );
    await timers.advance(3000);
    expect(Math.max(sim.pressure('A'), sim.pressure('B'))).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);

    const stored = await record(session.id);
    expect(stored.status).toBe('aborted');
    expect(stored.alarms.map((a: { code: string }) => a.code)).toEqual(['NO_ACK', 'DEFLATE_UNCONFIRMED']);
    await mend('cuff-2');
  });

  it('a cuff that never acknowledges the push: DEVICE_NO_ACK within 2 s, nothing stored, the cuff not left inflated', async () => {
    const { timers } = harness;
    const plan = await harness.approvedPlan();
    const sim = harness.cuff('cuff-2');
    sim.faults.neverAck(true);
    const db = harness.sut.app.get(DataSource);

    const res = await answeredWithinAckDeadline(
      harness.post(`/v1/prescriptions/${plan.id}/device-sessions`, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS }),
      'SELF_TEST',
    );
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'DEVICE_NO_ACK' });
    expect(res.body.detail).toContain('did not acknowledge SELF_TEST');
    await timers.advance(5000);
    expect(Math.max(sim.pressure('A'), sim.pressure('B'))).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM device_sessions WHERE prescription_id = $1', [plan.id]);
    expect(Number(n)).toBe(0);
    await mend('cuff-2');
  });

  it("a fast leak: the cuff raises its alarm and deflates, and the session ends aborted with the cuff's alarm", async () => {
    const { timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    harness.cuff('cuff-1').faults.leak('A', 8);
    await timers.advanceUntil(() => !harness.supervisor.session(id), { timeoutMs: 60_000, stepMs: 100 });
    harness.cuff('cuff-1').faults.leak('A', 0);
    await timers.advance(1000);

    const session = await record(id);
    expect(session.status).toBe('aborted');
    expect(session.alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'device', action: 'deflated', code: 'CUFF_LEAK', channel: 'A' }),
      ]),
    );
    expect(session.endReason).toContain('CUFF_LEAK');
    await mend('cuff-1');
  });

  it('the cuff restarts mid-block: the session never resumes (SR-15) and ends aborted', async () => {
    const { timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    harness.cuff('cuff-1').faults.reboot();
    await timers.advance(500);

    const session = await record(id);
    expect(session).toMatchObject({ status: 'aborted', endReason: expect.stringContaining('restarted') });
    expect(harness.cuff('cuff-1').state).toBe('IDLE');
    await mend('cuff-1');
  });

  it('the deflate button on the cuff ends the session, and a clinician can pause, resume and deflate', async () => {
    const { timers } = harness;
    const pressed = await harness.holdingSession('cuff-1');
    harness.cuff('cuff-1').faults.pressButton();
    await timers.advance(500);
    expect(await record(pressed.id)).toMatchObject({
      status: 'aborted',
      endReason: 'Stopped with the button on the cuff.',
    });
    await timers.advance(5000);

    const { id } = await harness.holdingSession('cuff-1');
    const sim = harness.cuff('cuff-1');
    expect((await harness.post(`/v1/device-sessions/${id}/pause`).expect(200)).body.status).toBe('paused');
    await timers.advanceUntil(() => sim.state === 'PAUSED', { timeoutMs: 10_000, stepMs: 100 });
    expect(sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    await harness.post(`/v1/device-sessions/${id}/pause`).expect(409);
    expect((await harness.post(`/v1/device-sessions/${id}/resume`).expect(200)).body.status).toBe('running');
    await timers.advanceUntil(() => sim.state === 'HOLDING', { timeoutMs: 30_000, stepMs: 100 });
    await harness.post(`/v1/device-sessions/${id}/next-set`).expect(200);
    const aborted = (
      await harness.post(`/v1/device-sessions/${id}/abort`, { reason: 'Patient reported tingling.' }).expect(200)
    ).body;
    expect(aborted).toMatchObject({
      status: 'aborted',
      endReason: 'Deflated and ended by dr-lee: Patient reported tingling.',
    });
    await timers.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, {
      timeoutMs: 10_000,
      stepMs: 100,
    });
    // The set paused and taken up again is one set in the statistics.
    const sets = aborted.sets.map(
      (s: { blockIndex: number; setIndex: number; phase: string }) => `${s.blockIndex}:${s.setIndex}:${s.phase}`,
    );
    expect(sets.slice(0, 1)).toEqual(['0:0:work']);
    expect(new Set(sets).size).toBe(sets.length);
    expect(
      aborted.events.map((e: { summary: string; actor: string }) => `${e.actor}: ${e.summary.split(' ')[0]}`),
    ).toEqual(
      expect.arrayContaining(['dr-lee: START', 'dr-lee: PAUSE', 'dr-lee: RESUME', 'dr-lee: NEXT_SET', 'dr-lee: ABORT']),
    );
  });

  it('another replica claims the cuff mid-set: this one’s late writes are refused, it stops supervising, and the taker ends the session', async () => {
    const { timers, supervisor } = harness;
    const db = harness.sut.app.get(DataSource);
    const duties = harness.sut.app.get(ReplicaDuties);
    const journal = harness.sut.app.get(SessionJournal);
    const { id } = await harness.holdingSession('cuff-2');
    // No renewal here while the test runs: only the refused write can tell this replica it lost the cuff.
    duties.onModuleDestroy();
    try {
      await journal.flushed(id);
      const before = await record(id);
      const [{ epoch }] = await db.query('SELECT epoch FROM device_leases WHERE device_id = ?1', ['cuff-2']);
      await db.query(
        "UPDATE device_leases SET epoch = epoch + 1, token = 'other', holder = 'replica-b' WHERE device_id = ?1",
        ['cuff-2'],
      );

      journal.update(id, { deviceState: 'LATE' });
      await journal.flushed(id);

      expect(supervisor.session(id)).toBeUndefined();
      expect(await record(id)).toMatchObject({ status: 'running', deviceState: before.deviceState });
      expect(before.deviceState).not.toBe('LATE');

      await db.query('UPDATE device_leases SET expires_at_ms = 0 WHERE device_id = ?1', ['cuff-2']);
      await duties.takeOver({
        deviceId: 'cuff-2',
        sessionId: id,
        holder: 'replica-b',
        epoch: Number(epoch) + 1,
        lapsedMs: 0,
      });
      const ended = await record(id);
      expect(ended.status).toBe('aborted');
      expect(ended.alarms.map((a: { code: string }) => a.code)).toContain('SUPERVISOR_LOST');
      await timers.advanceUntil(() => harness.cuff('cuff-2').pressure('A') <= DEVICE_LIMITS.deflatedMmHg, {
        timeoutMs: 10_000,
        stepMs: 100,
      });
    } finally {
      duties.onModuleInit();
    }
  });
});
