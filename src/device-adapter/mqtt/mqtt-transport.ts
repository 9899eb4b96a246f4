import { randomBytes, randomUUID } from 'node:crypto';

import { connect, type MqttClient } from 'mqtt';
import { Observable, Subject } from 'rxjs';
import type { z } from 'zod';

import { AckWaiter } from '../ack-waiter';
import { type CuffTransport, type DeviceInfo, DeviceUnavailableError, type TransportHealth } from '../cuff-transport';
import { DEVICE_LIMITS } from '../device-limits';
import { DEFAULT_COMMAND_LIFETIME_MS, EnvelopeIssuer } from '../envelope-issuer';
import {
  Ack,
  ALWAYS_ACCEPTED,
  type Command,
  type CuffState,
  DeviceEvent,
  type DeviceDescription,
  GatewayStatus,
  type Heartbeat,
  MAX_MESSAGE_BYTES,
  type Presence,
  PROTOCOL_VERSION,
  StateSnapshot,
  Telemetry,
} from '../protocol';
import type { TimerHandle } from '../timers';
import { SERVICE_USERNAME } from '../../config/config';
import { BrokerAccess } from './broker-access';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';
import { tlsOptions } from './mqtt-tls';
import type { MqttTransportOptions } from './mqtt-transport-options';
import { topics } from './topics';

interface KnownDevice {
  description: DeviceDescription;
  gatewayId: string;
  online: boolean;
  state: CuffState | null;
  lastSeenAt: string | null;
}

const REMEMBERED_EVENTS = 2048;

/**
 * The transport to clinic gateways over MQTT 3.1.1 (MQTT.js, protocol version 4). Commands go out
 * QoS 1, never retained, on a clean session, so nothing is queued for a cuff that is away; acks,
 * telemetry, events and gateway status come back validated, and repeated events are dropped by
 * msgId. The controller heartbeat goes to every online gateway once a second. It logs in with the
 * configured account (to its own embedded broker, with one made at start) and checks an mqtts://
 * broker's certificate.
 */
export class MqttTransport implements CuffTransport {
  readonly kind = 'mqtt' as const;
  readonly telemetry$: Observable<Telemetry>;
  readonly events$: Observable<DeviceEvent>;
  readonly presence$: Observable<Presence>;

  private readonly telemetrySubject = new Subject<Telemetry>();
  private readonly eventSubject = new Subject<DeviceEvent>();
  private readonly presenceSubject = new Subject<Presence>();
  private readonly issuer: EnvelopeIssuer;
  private readonly acks: AckWaiter;
  private readonly controllerId = `bfr-rx-${randomUUID().slice(0, 8)}`;
  private readonly known = new Map<string, KnownDevice>();
  private readonly gateways = new Map<string, boolean>();
  private readonly seenEvents = new Set<string>();
  private client: MqttClient | null = null;
  private broker: EmbeddedBroker | null = null;
  private heartbeat: TimerHandle | undefined;
  private heartbeatSeq = 0;
  private url: string | null;
  private lastError: string | null = null;

  constructor(private readonly options: MqttTransportOptions) {
    this.issuer = new EnvelopeIssuer(options.timers, DEFAULT_COMMAND_LIFETIME_MS, options.sequence ?? null);
    this.acks = new AckWaiter(options.timers);
    this.url = options.url;
    this.telemetry$ = this.telemetrySubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.presence$ = this.presenceSubject.asObservable();
  }

  /** The broker the transport is connected to (the embedded one's address once started); null before. */
  get brokerUrl(): string | null {
    return this.url;
  }

  /** The broker in use, without credentials. */
  private brokerLabel(): string {
    if (!this.url) {
      return 'none';
    }
    const url = new URL(this.url);
    return `${url.protocol}//${url.host}${this.broker ? ' (embedded)' : ''}`;
  }

  async start(): Promise<void> {
    if (this.client) {
      return;
    }
    let connectTo = this.url;
    let credentials = this.options.credentials;
    let tls = this.options.tls;
    if (!this.url) {
      const settings = this.options.embeddedBroker;
      const gateways = settings?.gateways;
      const service = gateways
        ? { username: SERVICE_USERNAME, password: randomBytes(32).toString('base64url') }
        : undefined;
      this.broker = await startEmbeddedBroker({
        host: settings?.host,
        port: settings?.port,
        access: gateways && service ? new BrokerAccess(this.options.site, { service, gateways }) : undefined,
        tls: settings?.tls,
        onRefused: this.options.onRefused,
      });
      this.url = this.broker.url;
      connectTo = this.broker.localUrl;
      credentials = service;
      tls = undefined;
    }
    const client = connect(connectTo as string, {
      protocolVersion: 4,
      clean: true,
      clientId: this.controllerId,
      keepalive: 10,
      reconnectPeriod: 1000,
      connectTimeout: this.options.connectTimeoutMs ?? 5000,
      ...(credentials && { username: credentials.username, password: credentials.password }),
      ...tlsOptions(tls),
    });
    this.client = client;
    client.on('message', (topic, payload) => this.receive(topic, payload));
    client.on('connect', () => {
      client.subscribe(topics.server(this.options.site), { qos: 1 });
    });
    // Errors surface through health(); MQTT.js keeps reconnecting.
    client.on('error', (error) => (this.lastError = error.message));
    client.on('connect', () => (this.lastError = null));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.connectTimeoutMs ?? 5000);
      client.once('connect', () => {
        clearTimeout(timer);
        client.subscribe(topics.server(this.options.site), { qos: 1 }, () => resolve());
      });
    });
    this.heartbeat = this.options.timers.setInterval(() => this.beat(), DEVICE_LIMITS.heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    this.options.timers.clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.acks.failAll(() => new Error('the cuff transport stopped before the cuff answered'));
    const client = this.client;
    this.client = null;
    await client?.endAsync(true);
    await this.broker?.close();
    this.broker = null;
    if (!this.options.url) {
      this.url = null;
    }
  }

  devices(): DeviceInfo[] {
    return [...this.known.values()].map((device) => ({
      ...device.description,
      online: device.online,
      state: device.state,
      gatewayId: device.gatewayId,
      lastSeenAt: device.lastSeenAt,
    }));
  }

  async send(deviceId: string, command: Command, epoch?: number): Promise<Ack> {
    const client = this.client;
    if (!client) {
      throw new DeviceUnavailableError(deviceId, command.type, 'stopped');
    }
    const device = this.known.get(deviceId);
    if (!device) {
      throw new DeviceUnavailableError(deviceId, command.type, 'unknown');
    }
    if (!device.online && !ALWAYS_ACCEPTED.includes(command.type)) {
      throw new DeviceUnavailableError(deviceId, command.type, 'offline');
    }
    const envelope = !this.options.sequence
      ? this.issuer.issue(deviceId, command, epoch)
      : await this.issuer.claim(deviceId, command, epoch).catch(() => {
          // DEFLATE and ABORT are taken whatever their seq (SR-13): a database out of reach must not keep air in a cuff.
          if (ALWAYS_ACCEPTED.includes(command.type)) {
            return this.issuer.issue(deviceId, command, epoch);
          }
          throw new DeviceUnavailableError(deviceId, command.type, 'unsequenced');
        });
    const answer = this.acks.expect(envelope);
    client.publish(
      topics.device(this.options.site, device.gatewayId, deviceId, 'cmd'),
      JSON.stringify(envelope),
      { qos: 1, retain: false },
      (error) => {
        if (error) {
          this.acks.fail(envelope.msgId, new DeviceUnavailableError(deviceId, command.type, 'offline'));
        }
      },
    );
    return answer;
  }

  health(): TransportHealth {
    const connected = this.client?.connected ?? false;
    const devices = [...this.known.values()];
    return {
      status: connected ? 'up' : 'down',
      broker: this.brokerLabel(),
      devicesKnown: devices.length,
      devicesOnline: devices.filter((d) => d.online).length,
      ...(connected
        ? {}
        : { detail: `not connected to the MQTT broker${this.lastError ? `: ${this.lastError}` : ''}` }),
    };
  }

  private beat(): void {
    this.heartbeatSeq += 1;
    for (const [gatewayId, online] of this.gateways) {
      if (online) {
        this.beatTo(gatewayId);
      }
    }
  }

  private beatTo(gatewayId: string): void {
    const client = this.client;
    if (!client?.connected) {
      return;
    }
    const heartbeat: Heartbeat = {
      v: PROTOCOL_VERSION,
      type: 'HEARTBEAT',
      controllerId: this.controllerId,
      seq: this.heartbeatSeq,
      at: new Date(this.options.timers.now()).toISOString(),
    };
    client.publish(topics.heartbeat(this.options.site, gatewayId), JSON.stringify(heartbeat), {
      qos: 0,
      retain: false,
    });
  }

  private receive(topic: string, payload: Buffer): void {
    const where = topics.parse(topic);
    if (!where || where.site !== this.options.site || where.kind === 'cmd' || where.kind === 'heartbeat') {
      return;
    }
    if (payload.length === 0 && where.kind === 'status') {
      return;
    }
    const read = <T extends z.ZodType>(schema: T): z.infer<T> | null => {
      if (payload.length > MAX_MESSAGE_BYTES) {
        this.options.onRejected?.(topic, `larger than ${MAX_MESSAGE_BYTES} bytes`);
        return null;
      }
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        this.options.onRejected?.(topic, 'not JSON');
        return null;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        this.options.onRejected?.(
          topic,
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
        return null;
      }
      return parsed.data;
    };

    if (where.kind === 'status') {
      const status = read(GatewayStatus);
      if (status && status.gatewayId === where.gatewayId) {
        this.gatewayStatus(status);
      }
      return;
    }
    const matches = (message: { deviceId: string } | null): boolean => {
      if (message && message.deviceId !== where.deviceId) {
        this.options.onRejected?.(topic, `names cuff ${message.deviceId} on the topic of ${where.deviceId}`);
        return false;
      }
      return message !== null;
    };
    switch (where.kind) {
      case 'ack': {
        const ack = read(Ack);
        if (matches(ack) && ack) {
          this.heardFrom(where.gatewayId, ack.deviceId, ack.state, ack.at);
          this.acks.settle(ack);
        }
        return;
      }
      case 'telemetry': {
        const sample = read(Telemetry);
        if (matches(sample) && sample) {
          this.heardFrom(where.gatewayId, sample.deviceId, sample.state, sample.at);
          this.telemetrySubject.next(sample);
        }
        return;
      }
      case 'event': {
        const event = read(DeviceEvent);
        if (matches(event) && event && !this.seenEvents.has(event.msgId)) {
          this.seenEvents.add(event.msgId);
          if (this.seenEvents.size > REMEMBERED_EVENTS) {
            this.seenEvents.delete(this.seenEvents.values().next().value as string);
          }
          this.heardFrom(where.gatewayId, event.deviceId, event.state, event.at);
          this.eventSubject.next(event);
        }
        return;
      }
      case 'state': {
        const snapshot = read(StateSnapshot);
        if (matches(snapshot) && snapshot) {
          this.heardFrom(where.gatewayId, snapshot.deviceId, snapshot.state, snapshot.at);
        }
        return;
      }
    }
  }

  /** Only cuffs a gateway has listed are known: a message naming any other is not trusted. */
  private heardFrom(gatewayId: string, deviceId: string, state: CuffState, at: string): void {
    const device = this.known.get(deviceId);
    if (device && device.gatewayId === gatewayId) {
      device.state = state;
      device.lastSeenAt = at;
    }
  }

  private gatewayStatus(status: GatewayStatus): void {
    const cameOnline = status.online && !this.gateways.get(status.gatewayId);
    this.gateways.set(status.gatewayId, status.online);
    if (cameOnline) {
      // A gateway that has just come (back) gets the heartbeat at once, not up to a second later.
      this.beatTo(status.gatewayId);
    }
    const listed = new Set(status.devices.map((d) => d.deviceId));
    for (const description of status.devices) {
      const device = this.known.get(description.deviceId);
      if (device && device.gatewayId !== status.gatewayId && device.online) {
        this.options.onRejected?.(
          topics.status(this.options.site, status.gatewayId),
          `cuff ${description.deviceId} is already online behind ${device.gatewayId}`,
        );
        continue;
      }
      if (device && device.gatewayId === status.gatewayId) {
        device.description = description;
      } else {
        this.known.set(description.deviceId, {
          description,
          gatewayId: status.gatewayId,
          online: false,
          state: null,
          lastSeenAt: null,
        });
      }
      this.setOnline(description.deviceId, status.online);
    }
    for (const [deviceId, device] of this.known) {
      if (device.gatewayId === status.gatewayId && !listed.has(deviceId)) {
        this.setOnline(deviceId, false);
      }
    }
  }

  private setOnline(deviceId: string, online: boolean): void {
    const device = this.known.get(deviceId);
    if (!device || device.online === online) {
      return;
    }
    device.online = online;
    this.presenceSubject.next({ deviceId, online, at: new Date(this.options.timers.now()).toISOString() });
  }
}
