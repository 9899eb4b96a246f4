import { DataSource } from 'typeorm';

import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';
import { BOTH_THIGHS, SessionHarness } from './device-session-harness';

/** Virtual time for the answer to travel back through the app while the test clock keeps stepping. */
const MARGIN_MS = 250;

/** Faults injected into the simulated cuff or its link while the real app supervises a session. */
describe('device session faults', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    harness = await SessionHarness.start();
  });

  afterAll(async () => {
    await harness.close();
  });

  /** The virtual instant each command type was last handed to the transport. */
  function sendTimes(): Record<string, number> & { restore(): void } {
    const times: Record<string, number> = {};
    const send = harness.transport.send.bind(harness.transport);
    const spy = jest.spyOn(harness.transport, 'send').mockImplementation((deviceId, command) => {
      times[command.type] = harness.timers.now();
      return send(deviceId, command);
    });
    return Object.assign(times, { restore: () => spy.mockRestore() });
  }

  const record = async (id: string) => (await harness.get(`/v1/device-sessions/${id}`).expect(200)).body;

  /** Puts a cuff back to service after a test broke it: link up, acks on, alarm cleared. */
  async function mend(deviceId: string): Promise<void> {
    const { transport, timers } = harness;
    transport.restoreLink(deviceId);
    transport.sim(deviceId).faults.neverAck(false);
    const sim = transport.sim(deviceId);
    await timers.advanceUntil(() => ['IDLE', 'READY', 'DONE', 'ABORTED', 'FAULT'].includes(sim.state), { timeoutMs: 30_000, stepMs: 100 });
    if (sim.state === 'FAULT') {
      await transport.send(deviceId, { type: 'CLEAR_ALARM', body: {} });
    }
    await timers.advance(1000);
  }

  it('cut link while inflated: the cuff deflates on its own within 5 s, and the session ends aborted with an alarm', async () => {
    const { transport, timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    const sim = transport.sim('cuff-1');
    expect(sim.pressure('A')).toBeGreaterThan(50);

    transport.cutLink('cuff-1');
    const cutAt = timers.now();
    const deflatingAfter = await timers.advanceUntil(() => sim.state === 'ALARM_DEFLATING', { timeoutMs: 10_000, stepMs: 100 });
    expect(deflatingAfter).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 100);
    await timers.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, { timeoutMs: 5000, stepMs: 100 });
    expect(harness.supervisor.session(id)).toBeUndefined();

    const session = await record(id);
    expect(session.status).toBe('aborted');
    expect(Date.parse(session.endedAt) - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.telemetryStaleMs + 100);
    expect(session.alarms[0]).toMatchObject({ source: 'server', action: 'deflated', code: expect.stringMatching(/^(TELEMETRY_LOST|DEVICE_OFFLINE)$/) });
    expect(session.alarms.map((a: { code: string }) => a.code)).toContain('DEFLATE_UNCONFIRMED');
    await mend('cuff-1');
  });

  it('a cuff that never acknowledges: the start answers DEVICE_NO_ACK within 2 s, the session is aborted, and nothing stays inflated', async () => {
    const { transport, timers } = harness;
    const plan = await harness.approvedPlan();
    const pushed = await harness.push(plan.id, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS });
    expect(pushed.status).toBe(201);
    const session = pushed.body;
    const sim = transport.sim('cuff-2');
    sim.faults.neverAck(true);

    const sentAt = sendTimes();
    const res = await harness.whileRunning(harness.post(`/v1/device-sessions/${session.id}/start`), { stepMs: 10 });
    expect(res.status).toBe(504);
    expect(res.body.code).toBe('DEVICE_NO_ACK');
    expect(res.answeredAt - sentAt.START).toBeLessThanOrEqual(DEVICE_LIMITS.ackDeadlineMs + MARGIN_MS);
    sentAt.restore();
    // The silent cuff did carry out START; the deflate sent on the missing ack brings it down.
    await timers.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg && sim.pressure('B') <= DEVICE_LIMITS.deflatedMmHg, { timeoutMs: 10_000, stepMs: 100 });
    await timers.advance(3000);
    expect(Math.max(sim.pressure('A'), sim.pressure('B'))).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);

    const stored = await record(session.id);
    expect(stored.status).toBe('aborted');
    expect(stored.alarms.map((a: { code: string }) => a.code)).toEqual(['NO_ACK', 'DEFLATE_UNCONFIRMED']);
    await mend('cuff-2');
  });

  it('a cuff that never acknowledges the push: DEVICE_NO_ACK within 2 s, nothing stored, the cuff not left inflated', async () => {
    const { transport, timers } = harness;
    const plan = await harness.approvedPlan();
    const sim = transport.sim('cuff-2');
    sim.faults.neverAck(true);
    const db = harness.sut.app.get(DataSource);

    const sentAt = sendTimes();
    const res = await harness.push(plan.id, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS }, 10);
    expect(res.body).toMatchObject({ code: 'DEVICE_NO_ACK' });
    expect(res.status).toBe(504);
    expect(res.body.detail).toContain('did not acknowledge SELF_TEST');
    expect(res.answeredAt - sentAt.SELF_TEST).toBeLessThanOrEqual(DEVICE_LIMITS.ackDeadlineMs + MARGIN_MS);
    sentAt.restore();
    await timers.advance(5000);
    expect(Math.max(sim.pressure('A'), sim.pressure('B'))).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM device_sessions WHERE prescription_id = $1', [plan.id]);
    expect(Number(n)).toBe(0);
    await mend('cuff-2');
  });

  it('a fast leak: the cuff raises its alarm and deflates, and the session ends aborted with the cuff\'s alarm', async () => {
    const { transport, timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    transport.sim('cuff-1').faults.leak('A', 8);
    await timers.advanceUntil(() => !harness.supervisor.session(id), { timeoutMs: 60_000, stepMs: 100 });
    transport.sim('cuff-1').faults.leak('A', 0);
    await timers.advance(1000);

    const session = await record(id);
    expect(session.status).toBe('aborted');
    expect(session.alarms).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'device', action: 'deflated', code: 'CUFF_LEAK', channel: 'A' })]));
    expect(session.endReason).toContain('CUFF_LEAK');
    await mend('cuff-1');
  });

  it('the cuff restarts mid-block: the session never resumes (SR-15) and ends aborted', async () => {
    const { transport, timers } = harness;
    const { id } = await harness.holdingSession('cuff-1');
    transport.sim('cuff-1').faults.reboot();
    await timers.advance(500);

    const session = await record(id);
    expect(session).toMatchObject({ status: 'aborted', endReason: expect.stringContaining('restarted') });
    expect(transport.sim('cuff-1').state).toBe('IDLE');
  });

  it('the deflate button on the cuff ends the session, and a clinician can pause, resume and deflate', async () => {
    const { transport, timers } = harness;
    const pressed = await harness.holdingSession('cuff-1');
    transport.sim('cuff-1').faults.pressButton();
    await timers.advance(500);
    expect(await record(pressed.id)).toMatchObject({ status: 'aborted', endReason: 'Stopped with the button on the cuff.' });
    await timers.advance(5000);

    const { id } = await harness.holdingSession('cuff-1');
    const sim = transport.sim('cuff-1');
    expect((await harness.post(`/v1/device-sessions/${id}/pause`).expect(200)).body.status).toBe('paused');
    await timers.advanceUntil(() => sim.state === 'PAUSED', { timeoutMs: 10_000, stepMs: 100 });
    expect(sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    await harness.post(`/v1/device-sessions/${id}/pause`).expect(409);
    expect((await harness.post(`/v1/device-sessions/${id}/resume`).expect(200)).body.status).toBe('running');
    await timers.advanceUntil(() => sim.state === 'HOLDING', { timeoutMs: 30_000, stepMs: 100 });
    await harness.post(`/v1/device-sessions/${id}/next-set`).expect(200);
    const aborted = (await harness.post(`/v1/device-sessions/${id}/abort`, { reason: 'Patient reported tingling.' }).expect(200)).body;
    expect(aborted).toMatchObject({ status: 'aborted', endReason: 'Deflated and ended by dr-lee: Patient reported tingling.' });
    await timers.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, { timeoutMs: 10_000, stepMs: 100 });
    expect(aborted.events.map((e: { summary: string; actor: string }) => `${e.actor}: ${e.summary.split(' ')[0]}`)).toEqual(
      expect.arrayContaining(['dr-lee: START', 'dr-lee: PAUSE', 'dr-lee: RESUME', 'dr-lee: NEXT_SET', 'dr-lee: ABORT']),
    );
  });
});
