import { type Channel, type CuffProgram, programSha256 } from '../src/device-adapter/cuff-program';
import { EnvelopeIssuer } from '../src/device-adapter/envelope-issuer';
import type {
  Ack,
  AlarmCode,
  Command,
  CuffState,
  DeviceEvent,
  EventDetail,
  Telemetry,
} from '../src/device-adapter/protocol';
import { CuffSim, type CuffSimOptions } from '../src/cuff-sim/cuff-sim';
import { type TimerHandle, VirtualTimers } from '../src/device-adapter/timers';
import { cuffProgram, programBlock } from './cuff-programs';

/**
 * Drives one simulated cuff the way the server would (envelopes, 1 Hz heartbeat) on a virtual
 * clock, and keeps what the cuff reported.
 */
export class SimController {
  readonly timers: VirtualTimers;
  readonly sim: CuffSim;
  readonly events: DeviceEvent[] = [];
  readonly telemetry: Telemetry[] = [];
  private readonly issuer: EnvelopeIssuer;
  private beat: TimerHandle | undefined;

  constructor(options: Partial<CuffSimOptions> = {}, timers = new VirtualTimers()) {
    this.timers = timers;
    this.sim = new CuffSim({ deviceId: 'cuff-1', ...options }, timers);
    this.issuer = new EnvelopeIssuer(timers);
    this.sim.events$.subscribe((event) => this.events.push(event));
    this.sim.telemetry$.subscribe((sample) => this.telemetry.push(sample));
    this.sim.start();
    this.heartbeatOn();
  }

  /** Sends a command and returns the cuff's ack; fails when the cuff gives none. */
  send(command: Command): Ack {
    const ack = this.sim.handle(this.issuer.issue(this.sim.deviceId, command));
    if (!ack) {
      throw new Error(`no ack for ${command.type}`);
    }
    return ack;
  }

  heartbeatOn(): void {
    if (!this.beat) {
      this.sim.heartbeat();
      this.beat = this.timers.setInterval(() => this.sim.heartbeat(), 1000);
    }
  }

  heartbeatOff(): void {
    this.timers.clearInterval(this.beat);
    this.beat = undefined;
  }

  advance(ms: number): Promise<void> {
    return this.timers.advance(ms);
  }

  /** Advances until the cuff is in `state`; returns the virtual milliseconds it took, to `stepMs`. */
  untilState(state: CuffState, timeoutMs = 600_000, stepMs = 100): Promise<number> {
    return this.timers.advanceUntil(() => this.sim.state === state, { timeoutMs, stepMs });
  }

  /** Advances until an event of this kind has been reported (after `since` events). */
  async untilEvent<K extends EventDetail['kind']>(
    kind: K,
    timeoutMs = 120_000,
    since = this.events.length,
  ): Promise<Extract<EventDetail, { kind: K }>> {
    await this.timers.advanceUntil(() => this.events.slice(since).some((e) => e.event.kind === kind), {
      timeoutMs,
      stepMs: 100,
    });
    return this.events.slice(since).find((e) => e.event.kind === kind)?.event as Extract<EventDetail, { kind: K }>;
  }

  /** Self-tested and ready. */
  async ready(): Promise<void> {
    expectOk(this.send({ type: 'SELF_TEST', body: {} }));
    await this.untilState('READY', 60_000);
  }

  push(program: CuffProgram, sha256 = programSha256(program)): Ack {
    return this.send({ type: 'PUSH_PROGRAM', body: { programId: program.programId, sha256, program } });
  }

  /** Self-tested, the program pushed and started. */
  async started(program: CuffProgram = shortProgram()): Promise<void> {
    await this.ready();
    expectOk(this.push(program));
    expectOk(this.send({ type: 'START', body: { programId: program.programId } }));
  }

  /** Brings a fresh cuff into `state` through commands, time and faults, as a server and a patient would. */
  async driveTo(state: CuffState): Promise<void> {
    const untilAfter = async (prepare: () => Promise<void>, target: CuffState) => {
      await prepare();
      await this.untilState(target);
    };
    switch (state) {
      case 'IDLE':
        return;
      case 'SELF_TEST':
        expectOk(this.send({ type: 'SELF_TEST', body: {} }));
        return;
      case 'READY':
        return this.ready();
      case 'PROGRAM_LOADED':
        await this.ready();
        expectOk(this.push(shortProgram()));
        return;
      case 'MEASURING_LOP':
        await this.ready();
        expectOk(this.send({ type: 'MEASURE_LOP', body: { channel: 'A', posture: 'supine' } }));
        return;
      case 'INFLATING':
        return this.started();
      case 'HOLDING':
      case 'SET_REST':
      case 'REPERFUSION':
      case 'DONE':
        return untilAfter(() => this.started(), state);
      case 'DEFLATING':
        await untilAfter(() => this.started(), 'HOLDING');
        expectOk(this.send({ type: 'PAUSE', body: {} }));
        return;
      case 'PAUSED':
        await untilAfter(() => this.started(), 'HOLDING');
        expectOk(this.send({ type: 'PAUSE', body: {} }));
        return this.untilState('PAUSED').then(() => undefined);
      case 'ABORTED':
        await untilAfter(() => this.started(), 'HOLDING');
        expectOk(this.send({ type: 'ABORT', body: {} }));
        return this.untilState('ABORTED').then(() => undefined);
      case 'ALARM_DEFLATING':
      case 'FAULT':
        await untilAfter(() => this.started(), 'HOLDING');
        this.heartbeatOff();
        await this.untilState(state);
        this.heartbeatOn();
        return;
    }
  }

  alarmsRaised(): Array<{ alarm: AlarmCode; action: 'deflate' | 'none' }> {
    return this.events.flatMap((e) =>
      e.event.kind === 'ALARM_RAISED' ? [{ alarm: e.event.alarm, action: e.event.action }] : [],
    );
  }

  statesVisited(): CuffState[] {
    return this.events.flatMap((e) => (e.event.kind === 'STATE_CHANGED' ? [e.event.to] : []));
  }

  /** Mean of the telemetry means of a channel over the samples that match. */
  meanPressure(channel: Channel, where: (sample: Telemetry) => boolean): number {
    const values = this.telemetry
      .filter(where)
      .flatMap((s) =>
        s.channels.filter((c) => c.channel === channel && c.meanMmHg !== null).map((c) => c.meanMmHg as number),
      );
    return values.reduce((a, b) => a + b, 0) / values.length;
  }

  close(): void {
    this.heartbeatOff();
    this.sim.stop();
  }
}

/** Two short continuous blocks on channel A (LOP 200 mmHg, 60 % = 120 mmHg): 2 × 10 s sets, 5 s rest, 60 s reperfusion. */
export function shortProgram(overrides: Partial<CuffProgram> = {}): CuffProgram {
  const sets = [
    { reps: 5, workS: 10 },
    { reps: 5, workS: 10 },
  ];
  return cuffProgram({
    blocks: [
      programBlock({ blockId: 'b1', sets, setRestS: 5 }),
      programBlock({ blockId: 'b2', exerciseId: 'knee-extension', sets, setRestS: 5 }),
    ],
    ...overrides,
  });
}

export function expectOk(ack: Ack): Ack {
  if (ack.result !== 'OK') {
    throw new Error(`expected OK, got ${ack.result}: ${ack.detail ?? ''}`);
  }
  return ack;
}
