import request from 'supertest';

import { CUFF_TRANSPORT, type CuffTransport } from '../src/device-adapter/cuff-transport';
import { TIMERS } from '../src/device-adapter/device-adapter.module';
import { CuffGateway } from '../src/cuff-sim/cuff-gateway';
import { MqttTransport } from '../src/device-adapter/mqtt/mqtt-transport';
import { SimTransport } from '../src/cuff-sim/sim-transport';
import { VirtualTimers } from '../src/device-adapter/timers';
import { makeTestCertificate, type TestCertificate } from './test-certificate';
import { startTestApp, type TestApp } from './test-app';

describe('cuff transport in the application', () => {
  let sut: TestApp;
  const timers = new VirtualTimers();

  beforeAll(async () => {
    sut = await startTestApp({ CUFF_SIM_DEVICES: '3', CUFF_SIM_LOP_MMHG: '150,230' }, { timers });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('provides the configured simulator on the clock the test gave it, started with the app', async () => {
    const transport = sut.app.get<CuffTransport>(CUFF_TRANSPORT);

    expect(transport).toBeInstanceOf(SimTransport);
    expect(sut.app.get(TIMERS)).toBe(timers);
    expect(transport.devices().map((d) => [d.deviceId, d.online])).toEqual([
      ['cuff-1', true],
      ['cuff-2', true],
      ['cuff-3', true],
    ]);
    const ack = await transport.send('cuff-3', { type: 'SELF_TEST', body: {} });
    expect(ack.result).toBe('OK');
    await timers.advanceUntil(() => (transport as SimTransport).sim('cuff-3').state === 'READY', {
      timeoutMs: 60_000,
      stepMs: 100,
    });
    expect(
      (await transport.send('cuff-3', { type: 'MEASURE_LOP', body: { channel: 'B', posture: 'supine' } })).result,
    ).toBe('OK');
  });

  it('reports the transport in /health', async () => {
    const res = await request(sut.http).get('/health').expect(200);

    expect(res.body.checks.cuffs).toEqual({ status: 'up', transport: 'simulator', devicesKnown: 3, devicesOnline: 3 });
  });
});

describe('MQTT cuff transport in the application, with the embedded broker and a gateway in process', () => {
  let sut: TestApp;
  let gateway: CuffGateway;
  const timers = new VirtualTimers();

  beforeAll(async () => {
    sut = await startTestApp({ CUFF_TRANSPORT: 'mqtt', MQTT_BROKER_PORT: '0', MQTT_SITE: 'e2e' }, { timers });
    const transport = sut.app.get<MqttTransport>(CUFF_TRANSPORT);
    gateway = new CuffGateway({
      url: transport.brokerUrl as string,
      site: sut.config.cuffs.mqtt.site,
      gatewayId: 'gw-e2e',
      devices: [{ deviceId: 'gw-e2e-cuff-1', lopMmHg: { A: 170, B: 190 } }],
      timers,
    });
    await gateway.start();
    await timers.advanceUntil(() => transport.devices().some((d) => d.online), {
      timeoutMs: 5_000,
      stepMs: 20,
      realPauseMs: 10,
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await sut.close();
  });

  it('reaches the gateway’s cuff through the embedded broker and reports it in /health', async () => {
    const transport = sut.app.get<CuffTransport>(CUFF_TRANSPORT);

    const ack = await transport.send('gw-e2e-cuff-1', { type: 'SELF_TEST', body: {} });
    const res = await request(sut.http).get('/health').expect(200);

    expect(ack).toMatchObject({ result: 'OK', state: 'SELF_TEST' });
    expect(transport.kind).toBe('mqtt');
    expect(res.body.checks.cuffs).toEqual({
      status: 'up',
      transport: 'mqtt',
      broker: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+ \(embedded\)$/),
      devicesKnown: 1,
      devicesOnline: 1,
    });
  });
});

describe('MQTT cuff transport in the application, with gateway accounts and TLS from the configuration', () => {
  const SECRET = 'gw-e2e-secret-0123456789';
  let sut: TestApp;
  let certificate: TestCertificate;
  const gateways: CuffGateway[] = [];
  const timers = new VirtualTimers();
  const gatewayWith = (password: string) => {
    const transport = sut.app.get<MqttTransport>(CUFF_TRANSPORT);
    const gateway = new CuffGateway({
      url: transport.brokerUrl as string,
      site: sut.config.cuffs.mqtt.site,
      gatewayId: 'gw-e2e',
      devices: [{ deviceId: 'gw-e2e-cuff-1' }],
      timers,
      password,
      tls: { ca: certificate.cert },
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    certificate = await makeTestCertificate();
    sut = await startTestApp(
      {
        CUFF_TRANSPORT: 'mqtt',
        MQTT_BROKER_PORT: '0',
        MQTT_SITE: 'e2e',
        MQTT_GATEWAY_CREDENTIALS: `gw-e2e:${SECRET}`,
        MQTT_BROKER_TLS_CERT: certificate.certFile,
        MQTT_BROKER_TLS_KEY: certificate.keyFile,
      },
      { timers },
    );
  });

  afterAll(async () => {
    for (const gateway of gateways) {
      await gateway.stop();
    }
    await sut.close();
    certificate.remove();
  });

  it('admits the gateway with its secret over TLS, and refuses it with another', async () => {
    const transport = sut.app.get<CuffTransport>(CUFF_TRANSPORT);

    await expect(gatewayWith('gw-e2e-not-the-secret').start()).rejects.toThrow(/Bad username or password/);
    await gatewayWith(SECRET).start();
    await timers.advanceUntil(() => transport.devices().some((d) => d.online), {
      timeoutMs: 5_000,
      stepMs: 10,
      realPauseMs: 2,
    });
    const ack = await transport.send('gw-e2e-cuff-1', { type: 'SELF_TEST', body: {} });
    const res = await request(sut.http).get('/health').expect(200);

    expect(ack).toMatchObject({ result: 'OK', state: 'SELF_TEST' });
    expect(res.body.checks.cuffs).toEqual({
      status: 'up',
      transport: 'mqtt',
      broker: expect.stringMatching(/^mqtts:\/\/127\.0\.0\.1:\d+ \(embedded\)$/),
      devicesKnown: 1,
      devicesOnline: 1,
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });
});
