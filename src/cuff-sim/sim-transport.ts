import { merge, Observable, Subject, Subscription } from 'rxjs';

import { AckWaiter } from '../device-adapter/ack-waiter';
import {
  type CuffTransport,
  type DeviceInfo,
  DeviceUnavailableError,
  type TransportHealth,
} from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { EnvelopeIssuer } from '../device-adapter/envelope-issuer';
import {
  type Ack,
  ALWAYS_ACCEPTED,
  type Command,
  type CuffState,
  type DeviceEvent,
  type Presence,
  type Telemetry,
} from '../device-adapter/protocol';
import { CuffSim, type CuffSimOptions } from './cuff-sim';
import type { TimerHandle, Timers } from '../device-adapter/timers';

export interface SimTransportOptions {
  /** The simulated cuffs, each with its own patient LOPs and seed. */
  devices: CuffSimOptions[];
  timers: Timers;
}

/** `count` simulated cuffs cuff-1..cuff-N, each seeded by its number so runs repeat. */
export function simulatedCuffs(count: number, lopMmHg?: CuffSimOptions['lopMmHg']): CuffSimOptions[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `cuff-${i + 1}`,
    seed: i + 1,
    ...(lopMmHg ? { lopMmHg } : {}),
  }));
}

/**
 * The in-process transport: simulated cuffs behind the same port a real link has. Commands and
 * acks pass through the same envelope and deadline as over MQTT; a link can be cut to see what the
 * server and the cuff do without each other.
 */
export class SimTransport implements CuffTransport {
  readonly kind = 'simulator' as const;
  readonly telemetry$: Observable<Telemetry>;
  readonly events$: Observable<DeviceEvent>;
  readonly presence$: Observable<Presence>;

  private readonly cuffs = new Map<string, CuffSim>();
  private readonly telemetrySubject = new Subject<Telemetry>();
  private readonly eventSubject = new Subject<DeviceEvent>();
  private readonly presenceSubject = new Subject<Presence>();
  private readonly issuer: EnvelopeIssuer;
  private readonly acks: AckWaiter;
  private readonly heard = new Map<string, { state: CuffState; at: string }>();
  private readonly online = new Set<string>();
  private readonly cutLinks = new Map<string, TimerHandle>();
  private subscription: Subscription | null = null;
  private heartbeat: TimerHandle | undefined;

  constructor(private readonly options: SimTransportOptions) {
    for (const device of options.devices) {
      if (this.cuffs.has(device.deviceId)) {
        throw new Error(`two simulated cuffs are called ${device.deviceId}`);
      }
      this.cuffs.set(device.deviceId, new CuffSim(device, options.timers));
    }
    this.issuer = new EnvelopeIssuer(options.timers);
    this.acks = new AckWaiter(options.timers);
    this.telemetry$ = this.telemetrySubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.presence$ = this.presenceSubject.asObservable();
  }

  /** A simulated cuff, to inject faults into or read its true pressure. */
  sim(deviceId: string): CuffSim {
    const cuff = this.cuffs.get(deviceId);
    if (!cuff) {
      throw new Error(`no simulated cuff ${deviceId}; there are ${[...this.cuffs.keys()].join(', ')}`);
    }
    return cuff;
  }

  sims(): CuffSim[] {
    return [...this.cuffs.values()];
  }

  async start(): Promise<void> {
    if (this.subscription) {
      return;
    }
    const cuffs = [...this.cuffs.values()];
    this.subscription = merge(...cuffs.map((cuff) => cuff.telemetry$)).subscribe((sample) => {
      if (!this.cutLinks.has(sample.deviceId)) {
        this.heard.set(sample.deviceId, { state: sample.state, at: sample.at });
        this.telemetrySubject.next(sample);
      }
    });
    this.subscription.add(
      merge(...cuffs.map((cuff) => cuff.events$)).subscribe((event) => {
        if (!this.cutLinks.has(event.deviceId)) {
          this.heard.set(event.deviceId, { state: event.state, at: event.at });
          this.eventSubject.next(event);
        }
      }),
    );
    for (const cuff of cuffs) {
      cuff.start();
      this.setOnline(cuff.deviceId, true);
    }
    this.beat();
    this.heartbeat = this.options.timers.setInterval(() => this.beat(), DEVICE_LIMITS.heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    this.options.timers.clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const timer of this.cutLinks.values()) {
      this.options.timers.clearTimeout(timer);
    }
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.acks.failAll(() => new Error('the cuff transport stopped before the cuff answered'));
    for (const cuff of this.cuffs.values()) {
      cuff.stop();
    }
    this.online.clear();
  }

  devices(): DeviceInfo[] {
    return [...this.cuffs.values()].map((cuff) => ({
      ...cuff.description,
      online: this.online.has(cuff.deviceId),
      state: this.heard.get(cuff.deviceId)?.state ?? null,
      gatewayId: null,
      lastSeenAt: this.heard.get(cuff.deviceId)?.at ?? null,
    }));
  }

  async send(deviceId: string, command: Command, epoch?: number): Promise<Ack> {
    if (!this.subscription) {
      throw new DeviceUnavailableError(deviceId, command.type, 'stopped');
    }
    const cuff = this.cuffs.get(deviceId);
    if (!cuff) {
      throw new DeviceUnavailableError(deviceId, command.type, 'unknown');
    }
    if (!this.online.has(deviceId) && !ALWAYS_ACCEPTED.includes(command.type)) {
      throw new DeviceUnavailableError(deviceId, command.type, 'offline');
    }
    const envelope = this.issuer.issue(deviceId, command, epoch);
    const answer = this.acks.expect(envelope);
    // Delivered after the caller has started waiting, as it would be over a network.
    void Promise.resolve().then(() => {
      if (this.cutLinks.has(deviceId)) {
        return;
      }
      const ack = cuff.handle(envelope);
      if (ack && !this.cutLinks.has(deviceId)) {
        this.acks.settle(ack);
      }
    });
    return answer;
  }

  health(): TransportHealth {
    return {
      status: this.subscription ? 'up' : 'down',
      devicesKnown: this.cuffs.size,
      devicesOnline: this.online.size,
    };
  }

  /**
   * Cuts the link to a cuff both ways (commands, acks, heartbeats, telemetry, events). The
   * transport notices as a broker would through a Last Will: offline after 1.5 keep-alives (3 s).
   */
  cutLink(deviceId: string): void {
    this.sim(deviceId);
    if (this.cutLinks.has(deviceId)) {
      return;
    }
    this.cutLinks.set(
      deviceId,
      this.options.timers.setTimeout(() => this.setOnline(deviceId, false), 3000),
    );
  }

  restoreLink(deviceId: string): void {
    const timer = this.cutLinks.get(deviceId);
    if (timer === undefined) {
      return;
    }
    this.options.timers.clearTimeout(timer);
    this.cutLinks.delete(deviceId);
    this.setOnline(deviceId, true);
  }

  private beat(): void {
    for (const cuff of this.cuffs.values()) {
      if (!this.cutLinks.has(cuff.deviceId)) {
        cuff.heartbeat();
      }
    }
  }

  private setOnline(deviceId: string, online: boolean): void {
    if (this.online.has(deviceId) === online) {
      return;
    }
    if (online) {
      this.online.add(deviceId);
    } else {
      this.online.delete(deviceId);
    }
    this.presenceSubject.next({ deviceId, online, at: new Date(this.options.timers.now()).toISOString() });
  }
}
