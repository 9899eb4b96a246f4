import { connect, type MqttClient } from 'mqtt';
import type { Subscription } from 'rxjs';

import {
  DeviceDescription,
  GatewayStatus,
  Heartbeat,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
} from '../device-adapter/protocol';
import { CuffSim, type CuffSimOptions } from './cuff-sim';
import type { Timers } from '../device-adapter/timers';
import { gatewayClientId } from '../device-adapter/mqtt/broker-access';
import { type MqttTls, tlsOptions } from '../device-adapter/mqtt/mqtt-tls';
import { topics } from '../device-adapter/mqtt/topics';

export interface CuffGatewayOptions {
  url: string;
  site: string;
  gatewayId: string;
  /** The cuffs behind the gateway, simulated. */
  devices: CuffSimOptions[];
  timers: Timers;
  /** MQTT keep-alive; the broker publishes the Last Will after 1.5 of these without traffic. */
  keepaliveS?: number;
  /** The gateway's secret at the broker; it logs in with its id as user name. */
  password?: string;
  /** Trust and identity for an mqtts:// broker. */
  tls?: MqttTls;
}

/**
 * A clinic gateway: one MQTT connection for the cuffs behind it (simulated here; a real gateway
 * would bridge BLE the same way). It presents itself with a retained status and a retained Last
 * Will saying offline, hands each command to its cuff and publishes the ack, passes the server's
 * heartbeat to every cuff, and publishes telemetry, events and state snapshots.
 */
export class CuffGateway {
  private readonly cuffs = new Map<string, CuffSim>();
  private client: MqttClient | null = null;
  private subscriptions: Subscription[] = [];
  private linkCut = false;

  constructor(private readonly options: CuffGatewayOptions) {
    for (const device of options.devices) {
      this.cuffs.set(device.deviceId, new CuffSim(device, options.timers));
    }
  }

  get gatewayId(): string {
    return this.options.gatewayId;
  }

  sim(deviceId: string): CuffSim {
    const cuff = this.cuffs.get(deviceId);
    if (!cuff) {
      throw new Error(`gateway ${this.options.gatewayId} has no cuff ${deviceId}`);
    }
    return cuff;
  }

  sims(): CuffSim[] {
    return [...this.cuffs.values()];
  }

  /** Connects and powers the cuffs on; resolves once the gateway has announced itself. */
  async start(): Promise<void> {
    if (this.client) {
      return;
    }
    for (const cuff of this.cuffs.values()) {
      this.subscriptions.push(
        cuff.telemetry$.subscribe((sample) =>
          this.publish(
            topics.device(this.options.site, this.options.gatewayId, cuff.deviceId, 'telemetry'),
            sample,
            0,
            false,
          ),
        ),
        cuff.events$.subscribe((event) => {
          this.publish(
            topics.device(this.options.site, this.options.gatewayId, cuff.deviceId, 'event'),
            event,
            1,
            false,
          );
          if (event.event.kind === 'STATE_CHANGED' || event.event.kind === 'BOOTED') {
            this.publish(
              topics.device(this.options.site, this.options.gatewayId, cuff.deviceId, 'state'),
              cuff.snapshot(),
              1,
              true,
            );
          }
        }),
      );
    }
    await this.connect();
    for (const cuff of this.cuffs.values()) {
      cuff.start();
    }
  }

  /** Says goodbye (retained offline status), disconnects and powers the cuffs off. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client?.connected) {
      await client.publishAsync(
        topics.status(this.options.site, this.options.gatewayId),
        JSON.stringify(this.status(false)),
        { qos: 1, retain: true },
      );
    }
    await client?.endAsync(true);
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.subscriptions = [];
    for (const cuff of this.cuffs.values()) {
      cuff.stop();
    }
  }

  /**
   * Loses the network: the socket dies without a goodbye, so the broker publishes the Last Will,
   * and nothing passes either way until the link is restored. The cuffs keep running on their own.
   */
  async cutLink(): Promise<void> {
    const client = this.client;
    if (!client || this.linkCut) {
      return;
    }
    this.linkCut = true;
    this.client = null;
    client.stream.destroy();
    await client.endAsync(true);
  }

  async restoreLink(): Promise<void> {
    if (!this.linkCut) {
      return;
    }
    this.linkCut = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const { site, gatewayId, password } = this.options;
    const client = connect(this.options.url, {
      protocolVersion: 4,
      clean: true,
      clientId: gatewayClientId(gatewayId),
      keepalive: this.options.keepaliveS ?? 2,
      reconnectPeriod: 1000,
      will: {
        topic: topics.status(site, gatewayId),
        payload: Buffer.from(JSON.stringify(this.status(false))),
        qos: 1,
        retain: true,
      },
      ...(password !== undefined && { username: gatewayId, password }),
      ...tlsOptions(this.options.tls),
    });
    this.client = client;
    client.on('error', () => undefined);
    client.on('message', (topic, payload) => this.receive(topic, payload));
    client.on('connect', () => {
      client.subscribe(topics.gateway(site, gatewayId), { qos: 1 }, () => {
        this.publish(topics.status(site, gatewayId), this.status(true), 1, true);
      });
    });
    const host = new URL(this.options.url).host;
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        client.off('error', refused);
        void client.endAsync(true);
        if (this.client === client) {
          this.client = null;
        }
        reject(new Error(`gateway ${gatewayId} could not connect to ${host}: ${why}`));
      };
      const timer = setTimeout(() => fail('no answer in 10 s'), 10_000);
      // A refused login or an untrusted certificate will not mend by retrying; a broker not up yet may.
      const refused = (error: Error & { code?: string | number }) => {
        if (typeof error.code === 'number' || /CERT|TLS|SELF_SIGNED|HOSTNAME|ALTNAME/.test(String(error.code))) {
          fail(error.message);
        }
      };
      client.on('error', refused);
      client.once('connect', () => {
        client.subscribe(topics.gateway(site, gatewayId), { qos: 1 }, (error, granted) => {
          if (error || granted?.some((grant) => grant.qos === 128)) {
            fail('the broker refused its subscriptions');
            return;
          }
          clearTimeout(timer);
          client.off('error', refused);
          resolve();
        });
      });
    });
  }

  private status(online: boolean): GatewayStatus {
    return {
      v: PROTOCOL_VERSION,
      type: 'STATUS',
      gatewayId: this.options.gatewayId,
      online,
      at: new Date(this.options.timers.now()).toISOString(),
      devices: online ? [...this.cuffs.values()].map((cuff) => DeviceDescription.parse(cuff.description)) : [],
    };
  }

  private receive(topic: string, payload: Buffer): void {
    const where = topics.parse(topic);
    if (!where || payload.length > MAX_MESSAGE_BYTES) {
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (where.kind === 'heartbeat') {
      if (Heartbeat.safeParse(json).success) {
        this.cuffs.forEach((cuff) => cuff.heartbeat());
      }
      return;
    }
    if (where.kind !== 'cmd') {
      return;
    }
    const cuff = this.cuffs.get(where.deviceId);
    // The cuff validates the command itself: the gateway is only the radio.
    const ack = cuff?.handle(json);
    if (cuff && ack) {
      this.publish(topics.device(this.options.site, this.options.gatewayId, cuff.deviceId, 'ack'), ack, 1, false);
    }
  }

  private publish(topic: string, message: object, qos: 0 | 1, retain: boolean): void {
    if (this.client?.connected) {
      this.client.publish(topic, JSON.stringify(message), { qos, retain });
    }
  }
}
