import { randomBytes } from 'node:crypto';

import type { CommandSequence } from '../src/device-adapter/command-sequence';
import { CuffGateway } from '../src/cuff-sim/cuff-gateway';
import { MqttTransport } from '../src/device-adapter/mqtt/mqtt-transport';
import type { Ack, Command, CuffState, DeviceEvent, Presence, Telemetry } from '../src/device-adapter/protocol';
import { simulatedCuffs } from '../src/cuff-sim/sim-transport';
import { VirtualTimers } from '../src/device-adapter/timers';

/**
 * The server's MqttTransport and a gateway with two simulated cuffs (gw-1-cuff-1, gw-1-cuff-2) on
 * one broker, sharing a virtual clock that moves in 100 ms steps with a real millisecond between,
 * so that broker round trips keep pace. Each rig uses a site of its own on the broker.
 */
export class MqttRig {
  readonly timers = new VirtualTimers();
  readonly site = `it-${randomBytes(4).toString('hex')}`;
  readonly transport: MqttTransport;
  readonly gateway: CuffGateway;
  readonly telemetry: Telemetry[] = [];
  readonly events: DeviceEvent[] = [];
  readonly presence: Presence[] = [];
  readonly rejected: string[] = [];

  constructor(
    readonly brokerUrl: string,
    sequence?: CommandSequence,
  ) {
    this.transport = new MqttTransport({
      url: brokerUrl,
      site: this.site,
      timers: this.timers,
      sequence,
      onRejected: (topic, reason) => this.rejected.push(`${topic}: ${reason}`),
    });
    this.transport.telemetry$.subscribe((t) => this.telemetry.push(t));
    this.transport.events$.subscribe((e) => this.events.push(e));
    this.transport.presence$.subscribe((p) => this.presence.push(p));
    this.gateway = new CuffGateway({
      url: brokerUrl,
      site: this.site,
      gatewayId: 'gw-1',
      devices: simulatedCuffs(2).map((d) => ({ ...d, deviceId: `gw-1-${d.deviceId}` })),
      timers: this.timers,
    });
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.gateway.start();
    // Small steps: what is awaited here is broker round trips, which need real time, not virtual.
    await this.timers.advanceUntil(() => this.transport.devices().filter((d) => d.online).length === 2, {
      timeoutMs: 5_000,
      stepMs: 10,
      realPauseMs: 2,
    });
  }

  async close(): Promise<void> {
    await this.gateway.stop();
    await this.transport.stop();
  }

  until(done: () => boolean, timeoutMs = 60_000): Promise<number> {
    return this.timers.advanceUntil(done, { timeoutMs, stepMs: 100, realPauseMs: 10 });
  }

  run(ms: number): Promise<void> {
    return this.timers.runFor(ms, { stepMs: 100, realPauseMs: 10 });
  }

  send(command: Command, deviceId = 'gw-1-cuff-1'): Promise<Ack> {
    return this.transport.send(deviceId, command);
  }

  /** The state the server last heard from a cuff. */
  state(deviceId = 'gw-1-cuff-1'): CuffState | null | undefined {
    return this.transport.devices().find((d) => d.deviceId === deviceId)?.state;
  }

  async ready(deviceId = 'gw-1-cuff-1'): Promise<void> {
    const ack = await this.send({ type: 'SELF_TEST', body: {} }, deviceId);
    if (ack.result !== 'OK') {
      throw new Error(`self-test refused: ${ack.result} ${ack.detail ?? ''}`);
    }
    await this.until(() => this.state(deviceId) === 'READY');
  }

  statePath(deviceId = 'gw-1-cuff-1'): CuffState[] {
    return this.events.flatMap((e) =>
      e.deviceId === deviceId && e.event.kind === 'STATE_CHANGED' ? [e.event.to] : [],
    );
  }
}
