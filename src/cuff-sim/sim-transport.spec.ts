import { shortProgram } from '../../test/sim-controller';
import { programSha256 } from '../device-adapter/cuff-program';
import { DeviceNoAckError, DeviceUnavailableError } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { DeviceEvent, Presence, Telemetry } from '../device-adapter/protocol';
import { simulatedCuffs, SimTransport } from './sim-transport';
import { VirtualTimers } from '../device-adapter/timers';

describe('SimTransport', () => {
  let timers: VirtualTimers;
  let sut: SimTransport;
  const telemetry: Telemetry[] = [];
  const events: DeviceEvent[] = [];
  const presence: Presence[] = [];

  beforeEach(async () => {
    timers = new VirtualTimers();
    sut = new SimTransport({ devices: simulatedCuffs(2, { A: 190, B: 210 }), timers });
    telemetry.length = 0;
    events.length = 0;
    presence.length = 0;
    sut.telemetry$.subscribe((t) => telemetry.push(t));
    sut.events$.subscribe((e) => events.push(e));
    sut.presence$.subscribe((p) => presence.push(p));
    await sut.start();
  });

  afterEach(() => sut.stop());

  /** Self-test, push and start a short program on a cuff, up to HOLDING. */
  async function holding(deviceId: string): Promise<void> {
    expect((await sut.send(deviceId, { type: 'SELF_TEST', body: {} })).result).toBe('OK');
    await timers.advanceUntil(() => sut.sim(deviceId).state === 'READY', { timeoutMs: 60_000, stepMs: 100 });
    const program = shortProgram();
    expect(
      (
        await sut.send(deviceId, {
          type: 'PUSH_PROGRAM',
          body: { programId: program.programId, sha256: programSha256(program), program },
        })
      ).result,
    ).toBe('OK');
    expect((await sut.send(deviceId, { type: 'START', body: { programId: program.programId } })).result).toBe('OK');
    await timers.advanceUntil(() => sut.sim(deviceId).state === 'HOLDING', { timeoutMs: 60_000, stepMs: 100 });
  }

  it('knows its cuffs, online, and streams their telemetry and events', async () => {
    const ack = await sut.send('cuff-2', { type: 'SELF_TEST', body: {} });
    await timers.advance(1_000);

    expect(ack).toMatchObject({ result: 'OK', deviceId: 'cuff-2', state: 'SELF_TEST' });
    expect(sut.devices()).toEqual([
      expect.objectContaining({
        deviceId: 'cuff-1',
        online: true,
        channels: ['A', 'B'],
        gatewayId: null,
        state: 'IDLE',
      }),
      expect.objectContaining({ deviceId: 'cuff-2', online: true, state: 'SELF_TEST' }),
    ]);
    expect(telemetry.filter((t) => t.deviceId === 'cuff-1')).toHaveLength(10);
    expect(events.map((e) => [e.deviceId, e.event.kind])).toContainEqual(['cuff-2', 'STATE_CHANGED']);
    expect(presence.map((p) => [p.deviceId, p.online])).toEqual([
      ['cuff-1', true],
      ['cuff-2', true],
    ]);
    expect(sut.health()).toEqual({ status: 'up', devicesKnown: 2, devicesOnline: 2 });
  });

  it('rejects a command with DeviceNoAckError when the cuff does not answer within 2 s (SR-11)', async () => {
    sut.sim('cuff-1').faults.neverAck(true);
    const sent = sut.send('cuff-1', { type: 'SELF_TEST', body: {} });
    const outcome = sent.then(
      () => 'acked',
      (error: unknown) => error,
    );

    await timers.advance(DEVICE_LIMITS.ackDeadlineMs - 1);
    expect(await Promise.race([outcome, Promise.resolve('waiting')])).toBe('waiting');
    await timers.advance(1);

    const error = await outcome;
    expect(error).toBeInstanceOf(DeviceNoAckError);
    expect(error).toMatchObject({
      deviceId: 'cuff-1',
      command: 'SELF_TEST',
      deadlineMs: 2000,
      message: 'cuff cuff-1 did not acknowledge SELF_TEST within 2000 ms',
    });
  });

  it('refuses to send to a cuff it does not know', async () => {
    await expect(sut.send('cuff-9', { type: 'DEFLATE', body: {} })).rejects.toBeInstanceOf(DeviceUnavailableError);
  });

  it('leaves a cuff whose link is cut deflated within 5 s, reports it offline, and sends it nothing but DEFLATE', async () => {
    await holding('cuff-1');
    const cutAt = timers.now();

    sut.cutLink('cuff-1');
    await timers.advanceUntil(() => sut.sim('cuff-1').pressure('A') <= DEVICE_LIMITS.deflatedMmHg, {
      timeoutMs: 20_000,
      stepMs: 10,
    });

    expect(timers.now() - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 3_000);
    expect(presence.at(-1)).toMatchObject({ deviceId: 'cuff-1', online: false });
    await expect(sut.send('cuff-1', { type: 'RESUME', body: {} })).rejects.toMatchObject({ reason: 'offline' });
    const deflate = sut.send('cuff-1', { type: 'DEFLATE', body: {} }).catch((error: unknown) => error);
    await timers.advance(DEVICE_LIMITS.ackDeadlineMs);
    expect(await deflate).toBeInstanceOf(DeviceNoAckError);
    // The server heard nothing of it while the link was down; the cuff ended in FAULT on its own.
    await timers.advance(15_000);
    expect(sut.sim('cuff-1').state).toBe('FAULT');
    expect(events.filter((e) => e.deviceId === 'cuff-1').map((e) => e.event.kind)).not.toContain('ALARM_RAISED');

    sut.restoreLink('cuff-1');
    await timers.advance(500);
    expect(sut.devices()[0]).toMatchObject({ online: true, state: 'FAULT' });
  });

  it('stops cleanly: pending commands fail and no timer is left behind', async () => {
    sut.sim('cuff-1').faults.neverAck(true);
    const pending = sut.send('cuff-1', { type: 'SELF_TEST', body: {} });

    await sut.stop();

    await expect(pending).rejects.toThrow('stopped');
    expect(timers.pending).toBe(0);
    await expect(sut.send('cuff-1', { type: 'DEFLATE', body: {} })).rejects.toMatchObject({ reason: 'stopped' });
  });
});
