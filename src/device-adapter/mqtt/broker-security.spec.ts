import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

import { EnvelopeIssuer } from '../envelope-issuer';
import type { Telemetry } from '../protocol';
import { VirtualTimers } from '../timers';
import { gatewayClientId } from './broker-access';
import { CuffGateway } from '../../cuff-sim/cuff-gateway';
import { MqttTransport } from './mqtt-transport';
import { topics } from './topics';

const SITE = 'north';
const SECRETS = new Map([
  ['gw-1', 'gw-1-secret-0123456789'],
  ['gw-2', 'gw-2-secret-0123456789'],
]);

/**
 * The embedded broker with gateway accounts (§2.2): the service's MqttTransport starts it, the
 * gateway gw-1 runs a simulated cuff behind it, and gw-2 is a raw MQTT client that tries what a
 * compromised gateway would.
 */
describe('embedded broker with gateway accounts', () => {
  let timers: VirtualTimers;
  let transport: MqttTransport;
  let gateway: CuffGateway;
  let refused: string[];
  let telemetry: Telemetry[];
  let clients: MqttClient[];

  // Small steps with real pauses: what is awaited is a broker round trip, not the cuff.
  const until = (done: () => boolean, timeoutMs = 5_000) =>
    timers.advanceUntil(done, { timeoutMs, stepMs: 10, realPauseMs: 2 });
  const login = async (options: IClientOptions): Promise<MqttClient> => {
    const client = await connectAsync(transport.brokerUrl as string, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 2000,
      ...options,
    });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  const asGateway2 = () =>
    login({ username: 'gw-2', password: SECRETS.get('gw-2'), clientId: gatewayClientId('gw-2') });
  const closed = (client: MqttClient) =>
    new Promise<void>((resolve) =>
      client.disconnected || !client.connected ? resolve() : client.once('close', () => resolve()),
    );

  beforeEach(async () => {
    timers = new VirtualTimers();
    refused = [];
    telemetry = [];
    clients = [];
    transport = new MqttTransport({
      url: null,
      embeddedBroker: { host: '127.0.0.1', port: 0, gateways: SECRETS },
      site: SITE,
      timers,
      onRefused: (what) => refused.push(what),
    });
    transport.telemetry$.subscribe((sample) => telemetry.push(sample));
    await transport.start();
    gateway = new CuffGateway({
      url: transport.brokerUrl as string,
      site: SITE,
      gatewayId: 'gw-1',
      devices: [{ deviceId: 'gw-1-cuff-1' }],
      timers,
      password: SECRETS.get('gw-1'),
    });
    await gateway.start();
    await until(() => transport.devices().some((d) => d.online));
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await gateway.stop();
    await transport.stop();
  });

  it('lets the service and a gateway in with their own secrets: commands, acks and telemetry flow', async () => {
    expect(transport.health()).toMatchObject({ status: 'up', devicesOnline: 1 });

    const ack = await transport.send('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });
    await until(() => telemetry.length > 5);

    expect(ack).toMatchObject({ result: 'OK', state: 'SELF_TEST' });
    expect(telemetry.every((sample) => sample.deviceId === 'gw-1-cuff-1')).toBe(true);
    expect(refused).toEqual([]);
  });

  it('refuses a wrong or missing password, an unknown gateway, a gateway under another’s client id and a guess at the service', async () => {
    const attempts: IClientOptions[] = [
      { username: 'gw-2', password: 'gw-1-secret-0123456789', clientId: gatewayClientId('gw-2') },
      { username: 'gw-2', clientId: gatewayClientId('gw-2') },
      { clientId: 'anonymous' },
      { username: 'gw-9', password: 'gw-9-secret-0123456789', clientId: gatewayClientId('gw-9') },
      { username: 'gw-2', password: SECRETS.get('gw-2'), clientId: gatewayClientId('gw-1') },
      { username: 'bfr-rx', password: 'gw-2-secret-0123456789', clientId: 'bfr-rx-guess' },
    ];

    for (const attempt of attempts) {
      await expect(login(attempt)).rejects.toMatchObject({
        code: 4,
        message: expect.stringMatching(/Bad username or password/),
      });
    }

    expect(refused).toHaveLength(attempts.length);
    expect(refused.join('\n')).not.toMatch(/secret/);
    // gw-1 was not pushed off by the connection that claimed its client id.
    expect(transport.devices()[0]).toMatchObject({ deviceId: 'gw-1-cuff-1', online: true });
  });

  it('stops a gateway with a wrong secret at start, without repeating the secret', async () => {
    const impostor = new CuffGateway({
      url: transport.brokerUrl as string,
      site: SITE,
      gatewayId: 'gw-2',
      devices: [{ deviceId: 'gw-2-cuff-1' }],
      timers,
      password: 'not-the-secret-of-gw-2',
    });

    const error = (await impostor.start().catch((e: unknown) => e)) as Error;
    await impostor.stop();

    expect(error.message).toMatch(
      /^gateway gw-2 could not connect to 127\.0\.0\.1:\d+: Connection refused: Bad username or password$/,
    );
    expect(transport.devices().map((d) => d.deviceId)).toEqual(['gw-1-cuff-1']);
  });

  it('disconnects a gateway that publishes another gateway’s telemetry, and the server never sees it', async () => {
    const intruder = await asGateway2();
    const forged: Telemetry = {
      ...(telemetry.at(-1) ?? (await until(() => telemetry.length > 0), telemetry[0])),
      at: '2001-01-01T00:00:00.000Z',
    };

    intruder.publish(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'), JSON.stringify(forged), { qos: 0 });
    await closed(intruder);
    await timers.runFor(1_000, { stepMs: 100, realPauseMs: 2 });

    expect(telemetry.some((sample) => sample.at === forged.at)).toBe(false);
    expect(refused).toEqual([
      `publish of client "gateway-gw-2" on ${topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry')} refused: gateway gw-2 publishes only under its own subtree`,
    ]);
    expect(transport.devices()[0].online).toBe(true);
  });

  it('disconnects a gateway that publishes a command or a heartbeat; the cuff never gets the command', async () => {
    const handle = jest.spyOn(gateway.sim('gw-1-cuff-1'), 'handle');
    const command = new EnvelopeIssuer(timers).issue('gw-1-cuff-1', { type: 'SELF_TEST', body: {} });

    const commander = await asGateway2();
    commander.publish(topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'cmd'), JSON.stringify(command), { qos: 1 });
    await closed(commander);
    const beater = await asGateway2();
    beater.publish(
      topics.heartbeat(SITE, 'gw-2'),
      JSON.stringify({
        v: 1,
        type: 'HEARTBEAT',
        controllerId: 'gw-2',
        seq: 1,
        at: new Date(timers.now()).toISOString(),
      }),
      { qos: 0 },
    );
    await closed(beater);
    await timers.runFor(1_000, { stepMs: 100, realPauseMs: 2 });

    expect(handle).not.toHaveBeenCalled();
    expect(gateway.sim('gw-1-cuff-1').state).toBe('IDLE');
    expect(refused).toEqual([
      expect.stringMatching(
        /^publish of client "gateway-gw-2" on bfr\/v1\/north\/gw-1\/gw-1-cuff-1\/cmd refused: gateway gw-2 publishes only under its own subtree$/,
      ),
      expect.stringMatching(
        /^publish of client "gateway-gw-2" on bfr\/v1\/north\/gw-2\/heartbeat\/server refused: only the service sends commands and heartbeats$/,
      ),
    ]);
  });

  it('refuses a gateway’s subscription to another gateway’s commands or to the whole site, and grants its own', async () => {
    const listener = await asGateway2();
    const heard: string[] = [];
    listener.on('message', (topic) => heard.push(topic));

    const filters = [
      'bfr/v1/north/gw-1/+/cmd',
      'bfr/v1/north/gw-1/heartbeat/server',
      'bfr/v1/north/#',
      'bfr/v1/north/gw-2/+/cmd',
      'bfr/v1/north/gw-2/heartbeat/server',
    ];
    const granted: Array<[string, number]> = [];
    for (const filter of filters) {
      // MQTT.js turns a refused subscription (granted QoS 128) into an error carrying the SUBACK.
      const grant = await listener.subscribeAsync(filter, { qos: 1 }).then(
        (grants) => grants[0].qos,
        (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0] ?? -1,
      );
      granted.push([filter, grant]);
    }
    expect(await transport.send('gw-1-cuff-1', { type: 'SELF_TEST', body: {} })).toMatchObject({ result: 'OK' });
    await timers.runFor(2_000, { stepMs: 100, realPauseMs: 2 });

    expect(granted).toEqual([
      ['bfr/v1/north/gw-1/+/cmd', 128],
      ['bfr/v1/north/gw-1/heartbeat/server', 128],
      ['bfr/v1/north/#', 128],
      ['bfr/v1/north/gw-2/+/cmd', 1],
      ['bfr/v1/north/gw-2/heartbeat/server', 1],
    ]);
    expect(heard).toEqual([]);
    expect(refused).toHaveLength(3);
    expect(listener.connected).toBe(true);
  });
});
