import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { TOPIC_ROOT, topics } from './topics';

/** Who a broker client is, once it has logged in. */
export type BrokerIdentity = { kind: 'service' } | { kind: 'gateway'; gatewayId: string };

export interface BrokerAccounts {
  /** The service's own account. */
  service: { username: string; password: string };
  /** Gateway id → its secret. A gateway logs in with its id as user name and `gateway-{id}` as client id. */
  gateways: ReadonlyMap<string, string>;
}

/** The MQTT client id a gateway connects with; one connection per gateway. */
export function gatewayClientId(gatewayId: string): string {
  return `gateway-${gatewayId}`;
}

const digest = (secret: string | Buffer) => createHash('sha256').update(secret).digest();

/**
 * Who may connect to the embedded broker and what each may do (device and safety reference §2.2):
 * one identity per gateway; a gateway publishes only under its own `{site}/{gw}/` subtree (status,
 * and ack, telemetry, event and state of its cuffs) and subscribes only to its own cuffs' commands
 * and the server's heartbeat; only the service sends commands and heartbeats, and reads the site.
 * Nothing is ever retained but a gateway's status and a cuff's state.
 */
export class BrokerAccess {
  private readonly service: { username: string; digest: Buffer };
  private readonly gateways: ReadonlyMap<string, Buffer>;
  /** Compared against when the user name is unknown, so that a wrong name takes as long as a wrong password. */
  private readonly nobody = digest(randomBytes(32));

  constructor(
    private readonly site: string,
    accounts: BrokerAccounts,
  ) {
    if (accounts.gateways.has(accounts.service.username)) {
      throw new Error(`a gateway may not be called ${accounts.service.username}: that is the service's user name`);
    }
    this.service = { username: accounts.service.username, digest: digest(accounts.service.password) };
    this.gateways = new Map([...accounts.gateways].map(([gatewayId, secret]) => [gatewayId, digest(secret)]));
  }

  /** The identity behind a CONNECT, or null when the user name, the password or (for a gateway) the client id is wrong. */
  authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): BrokerIdentity | null {
    const expected =
      username === this.service.username
        ? this.service.digest
        : (username !== undefined && this.gateways.get(username)) || this.nobody;
    const matches =
      timingSafeEqual(digest(password ?? Buffer.alloc(0)), expected) &&
      password !== undefined &&
      expected !== this.nobody;
    if (!matches) {
      return null;
    }
    if (username === this.service.username) {
      return { kind: 'service' };
    }
    // A gateway under another client id could push the real holder of that id off the broker.
    return clientId === gatewayClientId(username as string) ? { kind: 'gateway', gatewayId: username as string } : null;
  }

  /** Why a publish is refused, or null when it is allowed. */
  publishRefusal(identity: BrokerIdentity, topic: string, retain: boolean): string | null {
    const where = topics.parse(topic);
    if (!where) {
      return 'not a topic of the cuff protocol';
    }
    if (where.site !== this.site) {
      return `not a topic of site ${this.site}`;
    }
    if (identity.kind === 'service') {
      if (where.kind !== 'cmd' && where.kind !== 'heartbeat') {
        return 'the service publishes only commands and heartbeats';
      }
      return retain ? 'commands and heartbeats are never retained' : null;
    }
    if (where.gatewayId !== identity.gatewayId) {
      return `gateway ${identity.gatewayId} publishes only under its own subtree`;
    }
    if (where.kind === 'cmd' || where.kind === 'heartbeat') {
      return 'only the service sends commands and heartbeats';
    }
    if (retain && where.kind !== 'status' && where.kind !== 'state') {
      return `${where.kind} is never retained`;
    }
    return null;
  }

  maySubscribe(identity: BrokerIdentity, filter: string): boolean {
    const site = `${TOPIC_ROOT}/${this.site}/`;
    if (identity.kind === 'service') {
      return filter.startsWith(site);
    }
    const own = `${site}${identity.gatewayId}/`;
    if (filter === topics.heartbeat(this.site, identity.gatewayId)) {
      return true;
    }
    if (!filter.startsWith(own) || !filter.endsWith('/cmd')) {
      return false;
    }
    const device = filter.slice(own.length, -'/cmd'.length);
    return device === '+' || (device.length > 0 && !/[/+#]/.test(device));
  }
}
