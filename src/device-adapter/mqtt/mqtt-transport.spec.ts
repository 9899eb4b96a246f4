import { connectAsync, type MqttClient } from 'mqtt';

import { MqttRig } from '../../../test/mqtt-rig';
import { shortProgram } from '../../../test/sim-controller';
import { programSha256 } from '../cuff-program';
import { DeviceNoAckError } from '../cuff-transport';
import { DEVICE_LIMITS } from '../device-limits';
import { EnvelopeIssuer } from '../envelope-issuer';
import type { Ack } from '../protocol';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';
import { topics } from './topics';

describe('MqttTransport ↔ embedded aedes broker ↔ gateway with simulated cuffs', () => {
  let broker: EmbeddedBroker;
  let rig: MqttRig;
  let spy: MqttClient | null;

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    spy = null;
    rig = new MqttRig(broker.url);
    await rig.start();
  });

  afterEach(async () => {
    await spy?.endAsync(true);
    await rig.close();
    await broker.close();
  });

  it('runs the whole flow: self-test, idempotent program push, start, telemetry and events, deflate', async () => {
    expect(rig.transport.devices()).toEqual([
      expect.objectContaining({
        deviceId: 'gw-1-cuff-1',
        gatewayId: 'gw-1',
        online: true,
        model: 'bfr-rx simulated cuff',
        channels: ['A', 'B'],
      }),
      expect.objectContaining({ deviceId: 'gw-1-cuff-2', gatewayId: 'gw-1', online: true }),
    ]);
    expect(rig.transport.health()).toMatchObject({ status: 'up', devicesKnown: 2, devicesOnline: 2 });
    await rig.ready();

    const program = shortProgram();
    const push = {
      type: 'PUSH_PROGRAM',
      body: { programId: program.programId, sha256: programSha256(program), program },
    } as const;
    const first = await rig.send(push);
    const again = await rig.send(push);
    const changed = shortProgram({ blocks: [shortProgram().blocks[0]] });
    const conflict = await rig.send({
      type: 'PUSH_PROGRAM',
      body: { programId: changed.programId, sha256: programSha256(changed), program: changed },
    });

    expect(first).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: programSha256(program) });
    expect(again).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: first.programSha256 });
    expect(conflict).toMatchObject({ result: 'REJECTED_CONFLICT', programSha256: first.programSha256 });

    expect((await rig.send({ type: 'START', body: { programId: program.programId } })).result).toBe('OK');
    await rig.until(() => rig.events.some((e) => e.event.kind === 'SET_STARTED'));
    await rig.timers.runFor(3_000, { stepMs: 100, realPauseMs: 10 });
    const holding = rig.telemetry.filter((t) => t.deviceId === 'gw-1-cuff-1' && t.state === 'HOLDING');
    expect(holding.length).toBeGreaterThan(20);
    expect(holding.at(-1)?.channels.find((c) => c.channel === 'A')).toMatchObject({
      targetMmHg: 120,
      meanMmHg: expect.any(Number),
    });
    expect(Math.abs((holding.at(-1)?.channels[0].meanMmHg as number) - 120)).toBeLessThan(15);

    const deflate = await rig.send({ type: 'DEFLATE', body: {} });
    const path = () =>
      rig.events
        .filter((e) => e.deviceId === 'gw-1-cuff-1' && e.event.kind === 'STATE_CHANGED')
        .map((e) => (e.event as { to: string }).to);
    // The state the server heard (telemetry) can arrive before the event that records the change: wait for the event.
    await rig.until(() => path().at(-1) === 'ABORTED', 10_000);

    expect(rig.state()).toBe('ABORTED');
    expect(deflate).toMatchObject({ result: 'OK', state: 'DEFLATING' });
    expect(path()).toEqual(['SELF_TEST', 'READY', 'PROGRAM_LOADED', 'INFLATING', 'HOLDING', 'DEFLATING', 'ABORTED']);
    expect(new Set(rig.events.map((e) => e.msgId)).size).toBe(rig.events.length);
    expect(rig.rejected).toEqual([]);
  });

  it('marks the gateway’s cuffs offline through its Last Will when its socket dies, and the cuff deflates on its own', async () => {
    await rig.ready();
    const program = shortProgram();
    await rig.send({
      type: 'PUSH_PROGRAM',
      body: { programId: program.programId, sha256: programSha256(program), program },
    });
    await rig.send({ type: 'START', body: { programId: program.programId } });
    await rig.until(() => rig.gateway.sim('gw-1-cuff-1').state === 'HOLDING');
    const cutAt = rig.timers.now();

    await rig.gateway.cutLink();
    await rig.until(() => rig.presence.filter((p) => !p.online).length === 2, 5_000);

    expect(
      rig.presence
        .filter((p) => !p.online)
        .map((p) => p.deviceId)
        .sort(),
    ).toEqual(['gw-1-cuff-1', 'gw-1-cuff-2']);
    expect(rig.transport.health()).toMatchObject({ status: 'up', devicesOnline: 0 });
    await expect(rig.send({ type: 'NEXT_SET', body: {} })).rejects.toMatchObject({ reason: 'offline' });
    await rig.until(() => rig.gateway.sim('gw-1-cuff-1').pressure('A') <= DEVICE_LIMITS.deflatedMmHg, 20_000);
    expect(rig.timers.now() - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 3_000);

    // A DEFLATE sent while the gateway is away is not kept for it (clean session, not retained).
    const handle = jest.spyOn(rig.gateway.sim('gw-1-cuff-1'), 'handle');
    const lost = rig.send({ type: 'DEFLATE', body: {} }).catch((error: unknown) => error);
    await rig.until(() => false, DEVICE_LIMITS.ackDeadlineMs).catch(() => undefined);
    expect(await lost).toBeInstanceOf(DeviceNoAckError);
    await rig.gateway.restoreLink();
    await rig.until(() => rig.transport.devices().every((d) => d.online), 5_000);
    await rig.timers.runFor(1_000, { stepMs: 100, realPauseMs: 10 });
    expect(handle).not.toHaveBeenCalled();
    expect(rig.state()).toBe('FAULT');
  });

  it('rejects a command with DeviceNoAckError when the cuff never answers, 2 s after sending it', async () => {
    rig.gateway.sim('gw-1-cuff-2').faults.neverAck(true);
    const sentAt = rig.timers.now();
    const outcome = rig.send({ type: 'SELF_TEST', body: {} }, 'gw-1-cuff-2').catch((error: unknown) => error);
    let settled = false;
    void outcome.then(() => (settled = true));

    await rig.until(() => settled, DEVICE_LIMITS.ackDeadlineMs + 500);

    expect(await outcome).toBeInstanceOf(DeviceNoAckError);
    expect(rig.timers.now() - sentAt).toBeGreaterThanOrEqual(DEVICE_LIMITS.ackDeadlineMs);
    expect(rig.timers.now() - sentAt).toBeLessThanOrEqual(DEVICE_LIMITS.ackDeadlineMs + 100);
  });

  it('answers replayed and expired commands on the wire with REJECTED_REPLAY and REJECTED_EXPIRED', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const acks: Ack[] = [];
    spy.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString()) as Ack));
    await spy.subscribeAsync(topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'ack'), { qos: 1 });
    const issuer = new EnvelopeIssuer(rig.timers);
    const publish = (message: object) =>
      spy?.publishAsync(topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'cmd'), JSON.stringify(message), { qos: 1 });

    const original = issuer.issue('gw-1-cuff-1', { type: 'CLEAR_ALARM', body: {} });
    await publish(original);
    await publish(original);
    await publish({ ...original, msgId: 'older', seq: original.seq - 1 });
    const expired = issuer.issue('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });
    await rig.timers.advance(31_000);
    await publish(expired);
    await rig.until(() => acks.length === 4, 5_000);

    expect(acks.map((a) => [a.ackOf, a.result])).toEqual([
      [original.msgId, 'REJECTED_STATE'],
      [original.msgId, 'REJECTED_REPLAY'],
      ['older', 'REJECTED_REPLAY'],
      [expired.msgId, 'REJECTED_EXPIRED'],
    ]);
  });

  it('drops what does not validate, and a cuff’s message sent on another cuff’s topic', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const sample =
      rig.telemetry.at(-1) ?? (await rig.until(() => rig.telemetry.length > 0, 5_000).then(() => rig.telemetry[0]));
    const before = rig.telemetry.length;

    await spy.publishAsync(topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'telemetry'), '{not json', { qos: 0 });
    await spy.publishAsync(
      topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'telemetry'),
      JSON.stringify({ ...sample, channels: [{ channel: 'A', meanMmHg: 'high' }] }),
      { qos: 0 },
    );
    await spy.publishAsync(
      topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'event'),
      JSON.stringify({ ...rig.events[0], patientId: 'mrn-1' }),
      { qos: 1 },
    );
    await spy.publishAsync(
      topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'telemetry'),
      JSON.stringify({ ...sample, deviceId: 'gw-1-cuff-2' }),
      { qos: 0 },
    );
    await rig.until(() => rig.rejected.length === 4, 5_000);

    expect(rig.rejected.map((r) => r.replace(/:.*$/, ''))).toEqual(
      Array(2)
        .fill(topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'telemetry'))
        .concat([
          topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'event'),
          topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'telemetry'),
        ]),
    );
    expect(rig.rejected[0]).toContain('not JSON');
    expect(rig.telemetry.slice(before).every((t) => t.deviceId === 'gw-1-cuff-1' || t.deviceId === 'gw-1-cuff-2')).toBe(
      true,
    );
    expect(rig.telemetry.slice(before).some((t) => typeof t.channels[0].meanMmHg === 'string')).toBe(false);
  });

  it('refuses retained commands at the broker, so none can replay to a cuff that reconnects', async () => {
    spy = await connectAsync(broker.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    const command = new EnvelopeIssuer(rig.timers).issue('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });
    spy.publish(topics.device(rig.site, 'gw-1', 'gw-1-cuff-1', 'cmd'), JSON.stringify(command), {
      qos: 1,
      retain: true,
    });
    await rig.until(() => !spy?.connected, 5_000).catch(() => undefined);

    const later = await connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const retained: string[] = [];
    later.on('message', (topic) => retained.push(topic));
    await later.subscribeAsync(`${topics.device(rig.site, 'gw-1', '+', 'cmd')}`, { qos: 1 });
    await rig.timers.runFor(500, { stepMs: 100, realPauseMs: 10 });
    await later.endAsync(true);

    expect(retained).toEqual([]);
    expect(rig.gateway.sim('gw-1-cuff-1').state).toBe('IDLE');
  });
});
