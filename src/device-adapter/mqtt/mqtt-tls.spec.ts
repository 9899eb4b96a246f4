import { connect } from 'mqtt';

import { makeTestCertificate, type TestCertificate } from '../../../test/test-certificate';
import { VirtualTimers } from '../timers';
import { BrokerAccess } from './broker-access';
import { CuffGateway } from '../../cuff-sim/cuff-gateway';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';
import { MqttTransport } from './mqtt-transport';

const SITE = 'north';
const GATEWAYS = new Map([['gw-1', 'gw-1-secret-0123456789']]);
const SERVICE = { username: 'bfr-rx', password: 'service-secret-0123456789' };

/** MQTT over TLS with a certificate made for the run (self-signed for 127.0.0.1: its own CA). */
describe('MQTT over TLS', () => {
  let certificate: TestCertificate;
  let timers: VirtualTimers;
  let stops: Array<() => Promise<void>>;

  const until = (done: () => boolean) => timers.advanceUntil(done, { timeoutMs: 5_000, stepMs: 10, realPauseMs: 2 });
  const gatewayOn = (url: string, tls: { ca?: Buffer }) => {
    const gateway = new CuffGateway({
      url,
      site: SITE,
      gatewayId: 'gw-1',
      devices: [{ deviceId: 'gw-1-cuff-1' }],
      timers,
      password: GATEWAYS.get('gw-1'),
      tls,
    });
    stops.push(() => gateway.stop());
    return gateway;
  };

  beforeAll(async () => {
    certificate = await makeTestCertificate();
  });

  afterAll(() => certificate.remove());

  beforeEach(() => {
    timers = new VirtualTimers();
    stops = [];
  });

  afterEach(async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
  });

  it('serves gateways over TLS from the embedded broker: a gateway that trusts the certificate gets in, one that does not is refused', async () => {
    const transport = new MqttTransport({
      url: null,
      embeddedBroker: { host: '127.0.0.1', port: 0, gateways: GATEWAYS, tls: certificate },
      site: SITE,
      timers,
    });
    stops.push(() => transport.stop());
    await transport.start();
    const url = transport.brokerUrl as string;

    const untrusting = gatewayOn(url, {});
    const refusal = (await untrusting.start().catch((error: unknown) => error)) as Error;
    const plainClient = connect(url.replace('mqtts:', 'mqtt:'), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 1000,
      ...SERVICE,
    });
    plainClient.on('error', () => undefined);
    const plain = await new Promise((resolve) => {
      plainClient.once('connect', () => resolve('connected'));
      plainClient.once('close', () => resolve('closed'));
    });
    await plainClient.endAsync(true);
    await gatewayOn(url, { ca: certificate.cert }).start();
    await until(() => transport.devices().some((d) => d.online));

    expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(transport.health()).toMatchObject({ status: 'up', broker: `${url} (embedded)`, devicesOnline: 1 });
    expect(refusal.message).toMatch(/^gateway gw-1 could not connect to 127\.0\.0\.1:\d+: self[- ]signed certificate/);
    expect(plain).toBe('closed');
    expect(await transport.send('gw-1-cuff-1', { type: 'SELF_TEST', body: {} })).toMatchObject({ result: 'OK' });
  });

  describe('to a broker of its own (MQTT_URL)', () => {
    let broker: EmbeddedBroker;

    beforeEach(async () => {
      broker = await startEmbeddedBroker({
        access: new BrokerAccess(SITE, { service: SERVICE, gateways: GATEWAYS }),
        tls: certificate,
      });
      stops.push(() => broker.close());
    });

    it('connects the service and a gateway over mqtts:// with the CA and their accounts', async () => {
      const transport = new MqttTransport({
        url: broker.url,
        credentials: SERVICE,
        tls: { ca: certificate.cert },
        site: SITE,
        timers,
      });
      stops.push(() => transport.stop());
      await transport.start();
      await gatewayOn(broker.url, { ca: certificate.cert }).start();
      await until(() => transport.devices().some((d) => d.online));

      expect(transport.health()).toMatchObject({ status: 'up', broker: broker.url, devicesOnline: 1 });
      expect(await transport.send('gw-1-cuff-1', { type: 'SELF_TEST', body: {} })).toMatchObject({ result: 'OK' });
    });

    it('reports the service down, and why, when the broker refuses its login or it does not trust the broker', async () => {
      const refused = new MqttTransport({
        url: broker.url,
        credentials: { ...SERVICE, password: 'wrong-secret-0123456789' },
        tls: { ca: certificate.cert },
        site: SITE,
        timers,
        connectTimeoutMs: 1000,
      });
      const untrusting = new MqttTransport({
        url: broker.url,
        credentials: SERVICE,
        site: SITE,
        timers,
        connectTimeoutMs: 1000,
      });
      stops.push(
        () => refused.stop(),
        () => untrusting.stop(),
      );
      await Promise.all([refused.start(), untrusting.start()]);

      expect(refused.health()).toMatchObject({
        status: 'down',
        detail: 'not connected to the MQTT broker: Connection refused: Bad username or password',
      });
      expect(untrusting.health()).toMatchObject({
        status: 'down',
        detail: expect.stringMatching(/^not connected to the MQTT broker: self[- ]signed certificate/),
      });
      expect(JSON.stringify([refused.health(), untrusting.health()])).not.toContain('secret');
    });
  });
});
