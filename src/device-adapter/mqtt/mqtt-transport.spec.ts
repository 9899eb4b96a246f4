import { connectAsync, type MqttClient } from 'mqtt';

import { shortProgram } from '../../../test/sim-controller';
import { programSha256 } from '../cuff-program';
import { DeviceNoAckError } from '../cuff-transport';
import { DEVICE_LIMITS } from '../device-limits';
import { EnvelopeIssuer } from '../envelope-issuer';
import type { Ack, Command, DeviceEvent, Presence, Telemetry } from '../protocol';
import { simulatedCuffs } from '../sim-transport';
import { VirtualTimers } from '../timers';
import { CuffGateway } from './cuff-gateway';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';
import { MqttTransport } from './mqtt-transport';
import { topics } from './topics';

const SITE = 'test-site';

describe('MqttTransport ↔ embedded aedes broker ↔ gateway with simulated cuffs', () => {
  let broker: EmbeddedBroker;
  let timers: VirtualTimers;
  let sut: MqttTransport;
  let gateway: CuffGateway;
  let spy: MqttClient | null;
  let telemetry: Telemetry[];
  let events: DeviceEvent[];
  let presence: Presence[];
  let rejected: string[];

  /** Virtual time in 100 ms steps with a real millisecond between, so the broker round trips keep up. */
  const until = (done: () => boolean, timeoutMs = 60_000) => timers.advanceUntil(done, { timeoutMs, stepMs: 100, realPauseMs: 1 });
  const send = (command: Command, deviceId = 'gw-1-cuff-1') => sut.send(deviceId, command);
  const state = (deviceId = 'gw-1-cuff-1') => sut.devices().find((d) => d.deviceId === deviceId)?.state;

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    timers = new VirtualTimers();
    telemetry = [];
    events = [];
    presence = [];
    rejected = [];
    spy = null;
    sut = new MqttTransport({ url: broker.url, site: SITE, timers, onRejected: (topic, reason) => rejected.push(`${topic}: ${reason}`) });
    sut.telemetry$.subscribe((t) => telemetry.push(t));
    sut.events$.subscribe((e) => events.push(e));
    sut.presence$.subscribe((p) => presence.push(p));
    gateway = new CuffGateway({
      url: broker.url,
      site: SITE,
      gatewayId: 'gw-1',
      devices: simulatedCuffs(2).map((d) => ({ ...d, deviceId: `gw-1-${d.deviceId}` })),
      timers,
    });
    await sut.start();
    await gateway.start();
    await until(() => sut.devices().filter((d) => d.online).length === 2, 5_000);
  });

  afterEach(async () => {
    await spy?.endAsync(true);
    await gateway.stop();
    await sut.stop();
    await broker.close();
  });

  async function ready(deviceId = 'gw-1-cuff-1'): Promise<void> {
    expect((await send({ type: 'SELF_TEST', body: {} }, deviceId)).result).toBe('OK');
    await until(() => state(deviceId) === 'READY');
  }

  it('runs the whole flow: self-test, idempotent program push, start, telemetry and events, deflate', async () => {
    expect(sut.devices()).toEqual([
      expect.objectContaining({ deviceId: 'gw-1-cuff-1', gatewayId: 'gw-1', online: true, model: 'bfr-rx simulated cuff', channels: ['A', 'B'] }),
      expect.objectContaining({ deviceId: 'gw-1-cuff-2', gatewayId: 'gw-1', online: true }),
    ]);
    expect(sut.health()).toMatchObject({ status: 'up', devicesKnown: 2, devicesOnline: 2 });
    await ready();

    const program = shortProgram();
    const push = { type: 'PUSH_PROGRAM', body: { programId: program.programId, sha256: programSha256(program), program } } as const;
    const first = await send(push);
    const again = await send(push);
    const changed = shortProgram({ blocks: [shortProgram().blocks[0]] });
    const conflict = await send({ type: 'PUSH_PROGRAM', body: { programId: changed.programId, sha256: programSha256(changed), program: changed } });

    expect(first).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: programSha256(program) });
    expect(again).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: first.programSha256 });
    expect(conflict).toMatchObject({ result: 'REJECTED_CONFLICT', programSha256: first.programSha256 });

    expect((await send({ type: 'START', body: { programId: program.programId } })).result).toBe('OK');
    await until(() => events.some((e) => e.event.kind === 'SET_STARTED'));
    await timers.runFor(3_000, { stepMs: 100, realPauseMs: 1 });
    const holding = telemetry.filter((t) => t.deviceId === 'gw-1-cuff-1' && t.state === 'HOLDING');
    expect(holding.length).toBeGreaterThan(20);
    expect(holding.at(-1)?.channels.find((c) => c.channel === 'A')).toMatchObject({ targetMmHg: 120, meanMmHg: expect.any(Number) });
    expect(Math.abs((holding.at(-1)?.channels[0].meanMmHg as number) - 120)).toBeLessThan(15);

    const deflate = await send({ type: 'DEFLATE', body: {} });
    await until(() => state() === 'ABORTED', 10_000);

    expect(deflate).toMatchObject({ result: 'OK', state: 'DEFLATING' });
    const path = events.filter((e) => e.deviceId === 'gw-1-cuff-1' && e.event.kind === 'STATE_CHANGED').map((e) => (e.event as { to: string }).to);
    expect(path).toEqual(['SELF_TEST', 'READY', 'PROGRAM_LOADED', 'INFLATING', 'HOLDING', 'DEFLATING', 'ABORTED']);
    expect(new Set(events.map((e) => e.msgId)).size).toBe(events.length);
    expect(rejected).toEqual([]);
  });

  it('marks the gateway’s cuffs offline through its Last Will when its socket dies, and the cuff deflates on its own', async () => {
    await ready();
    const program = shortProgram();
    await send({ type: 'PUSH_PROGRAM', body: { programId: program.programId, sha256: programSha256(program), program } });
    await send({ type: 'START', body: { programId: program.programId } });
    await until(() => gateway.sim('gw-1-cuff-1').state === 'HOLDING');
    const cutAt = timers.now();

    await gateway.cutLink();
    await until(() => presence.filter((p) => !p.online).length === 2, 5_000);

    expect(presence.filter((p) => !p.online).map((p) => p.deviceId).sort()).toEqual(['gw-1-cuff-1', 'gw-1-cuff-2']);
    expect(sut.health()).toMatchObject({ status: 'up', devicesOnline: 0 });
    await expect(send({ type: 'NEXT_SET', body: {} })).rejects.toMatchObject({ reason: 'offline' });
    await until(() => gateway.sim('gw-1-cuff-1').pressure('A') <= DEVICE_LIMITS.deflatedMmHg, 20_000);
    expect(timers.now() - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 3_000);

    // A DEFLATE sent while the gateway is away is not kept for it (clean session, not retained).
    const handle = jest.spyOn(gateway.sim('gw-1-cuff-1'), 'handle');
    const lost = send({ type: 'DEFLATE', body: {} }).catch((error: unknown) => error);
    await until(() => false, DEVICE_LIMITS.ackDeadlineMs).catch(() => undefined);
    expect(await lost).toBeInstanceOf(DeviceNoAckError);
    await gateway.restoreLink();
    await until(() => sut.devices().every((d) => d.online), 5_000);
    await timers.runFor(1_000, { stepMs: 100, realPauseMs: 2 });
    expect(handle).not.toHaveBeenCalled();
    expect(state()).toBe('FAULT');
  });

  it('rejects a command with DeviceNoAckError when the cuff never answers, 2 s after sending it', async () => {
    gateway.sim('gw-1-cuff-2').faults.neverAck(true);
    const sentAt = timers.now();
    const outcome = send({ type: 'SELF_TEST', body: {} }, 'gw-1-cuff-2').catch((error: unknown) => error);
    let settled = false;
    void outcome.then(() => (settled = true));

    await until(() => settled, DEVICE_LIMITS.ackDeadlineMs + 500);

    expect(await outcome).toBeInstanceOf(DeviceNoAckError);
    expect(timers.now() - sentAt).toBeGreaterThanOrEqual(DEVICE_LIMITS.ackDeadlineMs);
    expect(timers.now() - sentAt).toBeLessThanOrEqual(DEVICE_LIMITS.ackDeadlineMs + 100);
  });

  it('answers replayed and expired commands on the wire with REJECTED_REPLAY and REJECTED_EXPIRED', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const acks: Ack[] = [];
    spy.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString()) as Ack));
    await spy.subscribeAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'ack'), { qos: 1 });
    const issuer = new EnvelopeIssuer(timers);
    const publish = (message: object) => spy?.publishAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'cmd'), JSON.stringify(message), { qos: 1 });

    const original = issuer.issue('gw-1-cuff-1', { type: 'CLEAR_ALARM', body: {} });
    await publish(original);
    await publish(original);
    await publish({ ...original, msgId: 'older', seq: original.seq - 1 });
    const expired = issuer.issue('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });
    await timers.advance(31_000);
    await publish(expired);
    await until(() => acks.length === 4, 5_000);

    expect(acks.map((a) => [a.ackOf, a.result])).toEqual([
      [original.msgId, 'REJECTED_STATE'],
      [original.msgId, 'REJECTED_REPLAY'],
      ['older', 'REJECTED_REPLAY'],
      [expired.msgId, 'REJECTED_EXPIRED'],
    ]);
  });

  it('drops what does not validate, and a cuff’s message sent on another cuff’s topic', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const sample = telemetry.at(-1) ?? (await until(() => telemetry.length > 0, 5_000).then(() => telemetry[0]));
    const before = telemetry.length;

    await spy.publishAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'), '{not json', { qos: 0 });
    await spy.publishAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'), JSON.stringify({ ...sample, channels: [{ channel: 'A', meanMmHg: 'high' }] }), { qos: 0 });
    await spy.publishAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'event'), JSON.stringify({ ...events[0], patientId: 'mrn-1' }), { qos: 1 });
    await spy.publishAsync(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'), JSON.stringify({ ...sample, deviceId: 'gw-1-cuff-2' }), { qos: 0 });
    await until(() => rejected.length === 4, 5_000);

    expect(rejected.map((r) => r.replace(/:.*$/, ''))).toEqual(Array(2).fill(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry')).concat([
      topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'event'),
      topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'),
    ]));
    expect(rejected[0]).toContain('not JSON');
    expect(telemetry.slice(before).every((t) => t.deviceId === 'gw-1-cuff-1' || t.deviceId === 'gw-1-cuff-2')).toBe(true);
    expect(telemetry.slice(before).some((t) => typeof t.channels[0].meanMmHg === 'string')).toBe(false);
  });

  it('refuses retained commands at the broker, so none can replay to a cuff that reconnects', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    const command = new EnvelopeIssuer(timers).issue('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });
    spy.publish(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'cmd'), JSON.stringify(command), { qos: 1, retain: true });
    await until(() => !spy?.connected, 5_000).catch(() => undefined);

    const later = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const retained: string[] = [];
    later.on('message', (topic) => retained.push(topic));
    await later.subscribeAsync(`${topics.device(SITE, 'gw-1', '+', 'cmd')}`, { qos: 1 });
    await timers.runFor(500, { stepMs: 100, realPauseMs: 2 });
    await later.endAsync(true);

    expect(retained).toEqual([]);
    expect(gateway.sim('gw-1-cuff-1').state).toBe('IDLE');
  });
});
