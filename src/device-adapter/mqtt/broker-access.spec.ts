import { BrokerAccess, type BrokerIdentity, gatewayClientId } from './broker-access';
import { topics } from './topics';

const SITE = 'north';
const access = new BrokerAccess(SITE, {
  service: { username: 'bfr-rx', password: 'service-secret-0123456789' },
  gateways: new Map([
    ['gw-1', 'gw-1-secret-0123456789'],
    ['gw-2', 'gw-2-secret-0123456789'],
  ]),
});
const SERVICE: BrokerIdentity = { kind: 'service' };
const GW1: BrokerIdentity = { kind: 'gateway', gatewayId: 'gw-1' };
const password = (text: string) => Buffer.from(text);

describe('BrokerAccess', () => {
  it('knows the service and each gateway by its own secret, and a gateway only under its own client id', () => {
    expect(access.authenticate('bfr-rx-1234', 'bfr-rx', password('service-secret-0123456789'))).toEqual(SERVICE);
    expect(access.authenticate(gatewayClientId('gw-1'), 'gw-1', password('gw-1-secret-0123456789'))).toEqual(GW1);

    expect(access.authenticate(gatewayClientId('gw-1'), 'gw-1', password('gw-2-secret-0123456789'))).toBeNull();
    expect(access.authenticate(gatewayClientId('gw-1'), 'gw-1', password('gw-1-secret-012345678'))).toBeNull();
    expect(access.authenticate(gatewayClientId('gw-1'), 'gw-1', undefined)).toBeNull();
    expect(access.authenticate(gatewayClientId('gw-1'), undefined, undefined)).toBeNull();
    expect(access.authenticate(gatewayClientId('gw-9'), 'gw-9', password('gw-1-secret-0123456789'))).toBeNull();
    expect(access.authenticate('bfr-rx-1234', 'bfr-rx', password('gw-1-secret-0123456789'))).toBeNull();
    // gw-2's own secret, but gw-1's client id: it would push gw-1 off the broker.
    expect(access.authenticate(gatewayClientId('gw-1'), 'gw-2', password('gw-2-secret-0123456789'))).toBeNull();
  });

  it('refuses a gateway called like the service', () => {
    expect(
      () =>
        new BrokerAccess(SITE, {
          service: { username: 'bfr-rx', password: 'x' },
          gateways: new Map([['bfr-rx', 'y']]),
        }),
    ).toThrow(/bfr-rx/);
  });

  it.each([
    [GW1, topics.status(SITE, 'gw-1'), true, null],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'telemetry'), false, null],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'ack'), false, null],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'event'), false, null],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'state'), true, null],
    [
      GW1,
      topics.device(SITE, 'gw-2', 'gw-2-cuff-1', 'telemetry'),
      false,
      'gateway gw-1 publishes only under its own subtree',
    ],
    [GW1, topics.status(SITE, 'gw-2'), true, 'gateway gw-1 publishes only under its own subtree'],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'cmd'), false, 'only the service sends commands and heartbeats'],
    [GW1, topics.heartbeat(SITE, 'gw-1'), false, 'only the service sends commands and heartbeats'],
    [GW1, topics.device(SITE, 'gw-1', 'gw-1-cuff-1', 'event'), true, 'event is never retained'],
    [GW1, topics.status('south', 'gw-1'), true, 'not a topic of site north'],
    [GW1, 'bfr/v1/north/gw-1/anything', false, 'not a topic of the cuff protocol'],
    [GW1, '$SYS/broker/clients', false, 'not a topic of the cuff protocol'],
    [SERVICE, topics.device(SITE, 'gw-2', 'gw-2-cuff-1', 'cmd'), false, null],
    [SERVICE, topics.heartbeat(SITE, 'gw-2'), false, null],
    [SERVICE, topics.device(SITE, 'gw-2', 'gw-2-cuff-1', 'cmd'), true, 'commands and heartbeats are never retained'],
    [
      SERVICE,
      topics.device(SITE, 'gw-2', 'gw-2-cuff-1', 'telemetry'),
      false,
      'the service publishes only commands and heartbeats',
    ],
    [SERVICE, topics.status(SITE, 'gw-2'), true, 'the service publishes only commands and heartbeats'],
  ])('publish by %o on %s (retained: %s) → %s', (identity, topic, retain, refusal) => {
    expect(access.publishRefusal(identity, topic, retain)).toBe(refusal);
  });

  it.each([
    [GW1, 'bfr/v1/north/gw-1/+/cmd', true],
    [GW1, 'bfr/v1/north/gw-1/gw-1-cuff-1/cmd', true],
    [GW1, 'bfr/v1/north/gw-1/heartbeat/server', true],
    [GW1, 'bfr/v1/north/gw-2/+/cmd', false],
    [GW1, 'bfr/v1/north/gw-2/heartbeat/server', false],
    [GW1, 'bfr/v1/north/+/+/cmd', false],
    [GW1, 'bfr/v1/north/gw-1/#', false],
    [GW1, 'bfr/v1/north/gw-1/+/ack', false],
    [GW1, 'bfr/v1/north/gw-1/+/+/cmd', false],
    [GW1, 'bfr/v1/north/gw-1//cmd', false],
    [GW1, 'bfr/v1/#', false],
    [GW1, '#', false],
    [SERVICE, 'bfr/v1/north/+/status', true],
    [SERVICE, 'bfr/v1/north/+/+/telemetry', true],
    [SERVICE, 'bfr/v1/+/+/status', false],
    [SERVICE, 'bfr/v1/south/+/status', false],
    [SERVICE, '#', false],
  ])('subscription of %o to %s → %s', (identity, filter, allowed) => {
    expect(access.maySubscribe(identity, filter)).toBe(allowed);
  });
});
