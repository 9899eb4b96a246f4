import { connectAsync } from 'mqtt';

import { programSha256 } from '../../src/device-adapter/cuff-program';
import { DeviceNoAckError } from '../../src/device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../../src/device-adapter/device-limits';
import { topics } from '../../src/device-adapter/mqtt/topics';
import { MqttRig } from '../mqtt-rig';
import { shortProgram } from '../sim-controller';

/**
 * Runs the MQTT transport and a gateway against a real Mosquitto (CI has one at 127.0.0.1:1883,
 * anonymous on loopback). Each run uses a site of its own and clears what it retained.
 */
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('Mosquitto', () => {
  let rig: MqttRig;

  beforeEach(async () => {
    rig = new MqttRig(BROKER);
    await rig.start();
  });

  afterEach(async () => {
    await rig.close();
    const cleaner = await connectAsync(BROKER, { protocolVersion: 4, clean: true });
    const retained = [
      topics.status(rig.site, 'gw-1'),
      ...['gw-1-cuff-1', 'gw-1-cuff-2'].map((d) => topics.device(rig.site, 'gw-1', d, 'state')),
    ];
    await Promise.all(retained.map((topic) => cleaner.publishAsync(topic, '', { qos: 1, retain: true })));
    await cleaner.endAsync();
  });

  it('runs self-test, an idempotent program push, a session with telemetry and events, and deflate', async () => {
    await rig.ready();
    const program = shortProgram();
    const push = {
      type: 'PUSH_PROGRAM',
      body: { programId: program.programId, sha256: programSha256(program), program },
    } as const;

    const first = await rig.send(push);
    const again = await rig.send(push);
    const changed = shortProgram({ blocks: [shortProgram().blocks[1]] });
    const conflict = await rig.send({
      type: 'PUSH_PROGRAM',
      body: { programId: changed.programId, sha256: programSha256(changed), program: changed },
    });
    expect([first.result, again.result, conflict.result]).toEqual(['OK', 'OK', 'REJECTED_CONFLICT']);
    expect(again.programSha256).toBe(programSha256(program));

    expect((await rig.send({ type: 'START', body: { programId: program.programId } })).result).toBe('OK');
    await rig.until(() => rig.state() === 'HOLDING');
    await rig.run(2_000);
    expect((await rig.send({ type: 'DEFLATE', body: {} })).result).toBe('OK');
    await rig.until(() => rig.state() === 'ABORTED', 10_000);

    expect(rig.telemetry.filter((t) => t.deviceId === 'gw-1-cuff-1' && t.state === 'HOLDING').length).toBeGreaterThan(
      10,
    );
    expect(rig.statePath()).toEqual([
      'SELF_TEST',
      'READY',
      'PROGRAM_LOADED',
      'INFLATING',
      'HOLDING',
      'DEFLATING',
      'ABORTED',
    ]);
    expect(rig.rejected).toEqual([]);
  });

  it('learns through the Last Will that the gateway is gone, and its cuff deflates without the server', async () => {
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
    await rig.until(() => rig.gateway.sim('gw-1-cuff-1').pressure('A') <= DEVICE_LIMITS.deflatedMmHg, 20_000);

    expect(rig.timers.now() - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 3_000);
    await expect(rig.send({ type: 'RESUME', body: {} })).rejects.toMatchObject({ reason: 'offline' });
  });

  it('fails a command the cuff never acknowledges after 2 s', async () => {
    rig.gateway.sim('gw-1-cuff-2').faults.neverAck(true);
    let settled = false;
    const outcome = rig.send({ type: 'SELF_TEST', body: {} }, 'gw-1-cuff-2').catch((error: unknown) => error);
    void outcome.then(() => (settled = true));

    const took = await rig.until(() => settled, DEVICE_LIMITS.ackDeadlineMs + 500);

    expect(await outcome).toBeInstanceOf(DeviceNoAckError);
    expect(took).toBeGreaterThanOrEqual(DEVICE_LIMITS.ackDeadlineMs);
  });
});
