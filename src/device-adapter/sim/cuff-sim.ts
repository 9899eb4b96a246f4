import { randomUUID } from 'node:crypto';

import { Observable, Subject } from 'rxjs';

import { type Channel, type CuffProgram, programSha256 } from '../cuff-program';
import { DEVICE_LIMITS } from '../device-limits';
import { programLimitBreaches } from '../program-limits';
import {
  type Ack,
  type AckResult,
  type AlarmCode,
  ALWAYS_ACCEPTED,
  CommandEnvelope,
  type CommandType,
  type CuffState,
  type DeviceDescription,
  type DeviceEvent,
  type EventDetail,
  PROTOCOL_VERSION,
  type StateSnapshot,
  type Telemetry,
} from '../protocol';
import { acceptedIn } from '../state-machine';
import type { TimerHandle, Timers } from '../timers';
import { CuffChannel } from './cuff-channel';
import { PNEUMATICS, pumpRate, SIM_STEP_MS, type SensorFault, type ValveFault } from './cuff-physics';
import { LopSearch } from './lop-search';
import { SeededRandom } from './seeded-random';
import { SelfTest } from './self-test';
import { Zeroing } from './zeroing';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { max, min, round } = Math;
const { NEGATIVE_INFINITY: MINUS_INFINITY } = Number;


export interface CuffSimOptions {
  deviceId: string;
  /** Channels of the unit; both by default. */
  channels?: Channel[];
  /** The simulated patient's LOP under each cuff, mmHg (default A 180, B 200). */
  lopMmHg?: Partial<Record<Channel, number>>;
  heartRateBpm?: number;
  pulseAmplitudeMmHg?: number;
  /** Seed of the noise, the sensor drift and the heartbeat variability: the same seed gives the same run. */
  seed?: number;
  model?: string;
  firmware?: string;
}

/** The switches of the fault-injection list (§3.3). Lost link and message faults belong to the transports. */
export interface CuffFaults {
  /** Air loss of a cuff in mmHg/s at working pressure; 0 mends it. */
  leak(channel: Channel, mmHgPerS: number): void;
  dumpValve(channel: Channel, fault: ValveFault): void;
  /** The pump driver stuck on, whatever the firmware commands. */
  pumpRunaway(channel: Channel, on: boolean): void;
  sensor(channel: Channel, fault: SensorFault): void;
  /** The cuff carries out commands but never answers them. */
  neverAck(on: boolean): void;
  /** The cuff's clock runs this far ahead (negative: behind). */
  clockSkew(ms: number): void;
  /** Power cycle (SR-15): the cuff comes back IDLE and deflated, its program gone. */
  reboot(): void;
  /** The patient or therapist presses the cuff's deflate button. */
  pressButton(): void;
}

const WATCHED_BY_HEARTBEAT: ReadonlySet<CuffState> = new Set(['SELF_TEST', 'MEASURING_LOP', 'INFLATING', 'HOLDING', 'SET_REST', 'REPERFUSION']);
const HOLDING_FROM_BELOW_MMHG = 5;
const DEFLATE_DEADLINE_MS = 10_000;
const TELEMETRY_MS = 100;
const REMEMBERED_MSG_IDS = 512;

interface ProgramRun {
  program: CuffProgram;
  sha256: string;
  blockIndex: number;
  setIndex: number;
  setRemainingMs: number;
  setStarted: boolean;
  phaseEndsAtMs: number | null;
  inflatingSinceMs: number;
}

type Procedure =
  | { kind: 'self-test'; test: SelfTest }
  | { kind: 'lop'; phase: 'zero' | 'search'; zero: Zeroing; search: LopSearch };

/**
 * A simulated cuff unit: the firmware (state machine of §3.2, regulator, alarms, watchdog, LOP
 * search, self-test) running on the physics of §3.3, on an injected clock. It enforces its hard
 * limits on its own, whatever the server does.
 */
export class CuffSim {
  readonly deviceId: string;
  readonly description: DeviceDescription;
  readonly faults: CuffFaults;
  readonly telemetry$: Observable<Telemetry>;
  readonly events$: Observable<DeviceEvent>;

  private readonly telemetrySubject = new Subject<Telemetry>();
  private readonly eventSubject = new Subject<DeviceEvent>();
  private readonly units: CuffChannel[];
  private readonly random: SeededRandom;
  private currentState: CuffState = 'IDLE';
  private loaded: { program: CuffProgram; sha256: string } | null = null;
  private run: ProgramRun | null = null;
  private procedure: Procedure | null = null;
  private afterDeflate: CuffState = 'ABORTED';
  private deflatingSinceMs = 0;
  private readonly knownPrograms = new Map<string, string>();
  private readonly rawReadings = new Map<Channel, number>();
  /** Kept across reboots, as in non-volatile memory: a reboot must not reopen the door to replays. */
  private lastSeq = -1;
  private readonly seenMsgIds = new Set<string>();
  private lastHeartbeatMs = MINUS_INFINITY;
  private simulatedUntil = 0;
  private ticker: TimerHandle | undefined;
  private silent = false;
  private skewMs = 0;

  constructor(
    options: CuffSimOptions,
    private readonly timers: Timers,
  ) {
    this.deviceId = options.deviceId;
    const channels = options.channels ?? ['A', 'B'];
    this.description = {
      deviceId: options.deviceId,
      model: options.model ?? 'bfr-rx simulated cuff',
      firmware: options.firmware ?? 'sim-1',
      channels,
    };
    this.random = new SeededRandom(options.seed ?? 1);
    const lop = { A: 180, B: 200, ...options.lopMmHg };
    this.units = channels.map(
      (channel) => new CuffChannel(channel, { lopMmHg: lop[channel], heartRateBpm: options.heartRateBpm ?? 72, pulseAmplitudeMmHg: options.pulseAmplitudeMmHg ?? 2 }, this.random),
    );
    this.telemetry$ = this.telemetrySubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.faults = this.faultSwitches();
  }

  get state(): CuffState {
    return this.currentState;
  }

  /** The program the cuff holds, if any. */
  get program(): { programId: string; sha256: string } | null {
    return this.loaded ? { programId: this.loaded.program.programId, sha256: this.loaded.sha256 } : null;
  }

  /** True pressure in a cuff (air, muscle and pulse), as a perfect gauge would read it: for tests and invariants. */
  pressure(channel: Channel): number {
    return this.unit(channel).cuff.pressureAt(this.simulatedUntil);
  }

  /**
   * The cuff's own record since power-on, from the true pressure: the highest pressure and the
   * longest spell above 10 mmHg. What an inspection of the cuff would look at after an incident.
   */
  record(channel: Channel): { peakMmHg: number; longestInflatedS: number } {
    return this.unit(channel).history(this.simulatedUntil);
  }

  /** Whether the independent limiter of a channel has tripped. */
  limiterTripped(channel: Channel): boolean {
    return this.unit(channel).limiter.tripped !== null;
  }

  /** Occlusion of the current block and of the current program run, seconds. */
  occlusionS(channel: Channel): { block: number; session: number } {
    const unit = this.unit(channel);
    return { block: unit.blockOcclusionMs / 1000, session: unit.sessionOcclusionMs / 1000 };
  }

  /** Powers the cuff on: IDLE, deflated. */
  start(): void {
    if (this.ticker) {
      return;
    }
    this.simulatedUntil = this.timers.now();
    this.ticker = this.timers.setInterval(() => this.tick(), TELEMETRY_MS);
    this.emit({ kind: 'BOOTED', reason: 'power-on' }, this.simulatedUntil);
  }

  stop(): void {
    this.timers.clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** The controller's heartbeat (SR-7). */
  heartbeat(): void {
    this.catchUp();
    this.lastHeartbeatMs = this.timers.now();
  }

  snapshot(): StateSnapshot {
    return {
      v: PROTOCOL_VERSION,
      type: 'STATE',
      deviceId: this.deviceId,
      at: this.deviceTime(this.timers.now()),
      state: this.currentState,
      programId: this.loaded?.program.programId ?? null,
      programSha256: this.loaded?.sha256 ?? null,
    };
  }

  /**
   * Takes one command off the wire (untrusted) and answers it; null when there is nothing to answer
   * (no message id to answer to, or the never-ack fault is on).
   */
  handle(raw: unknown): Ack | null {
    this.catchUp();
    const now = this.timers.now();
    const ack = this.decide(raw, now);
    return this.silent ? null : ack;
  }

  private decide(raw: unknown, now: number): Ack | null {
    const msgId = typeof raw === 'object' && raw !== null && typeof (raw as { msgId?: unknown }).msgId === 'string' ? (raw as { msgId: string }).msgId : null;
    const rawType = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const rawDevice = typeof raw === 'object' && raw !== null ? (raw as { deviceId?: unknown }).deviceId : undefined;
    const answerable = msgId !== null && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(msgId);
    const reply = (result: AckResult, detail?: string) => (answerable ? this.ack(msgId as string, result, now, detail) : null);

    // SR-13: deflate whatever else is wrong with the message, as long as it is meant for this cuff.
    if (ALWAYS_ACCEPTED.includes(rawType as CommandType) && (rawDevice === undefined || rawDevice === this.deviceId)) {
      const parsed = CommandEnvelope.safeParse(raw);
      if (parsed.success) {
        this.remember(parsed.data.msgId, parsed.data.seq);
      }
      this.bringDown(rawType as 'DEFLATE' | 'ABORT', now);
      return reply('OK');
    }

    const parsed = CommandEnvelope.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
      return reply('INVALID', issues.join('; '));
    }
    const command = parsed.data;
    if (command.deviceId !== this.deviceId) {
      return reply('INVALID', `addressed to ${command.deviceId}, this is ${this.deviceId}`);
    }
    if (this.seenMsgIds.has(command.msgId) || command.seq <= this.lastSeq) {
      return reply('REJECTED_REPLAY', `seq ${command.seq} is not above ${this.lastSeq}, or message ${command.msgId} was seen before`);
    }
    this.remember(command.msgId, command.seq);

    const issuedAt = Date.parse(command.issuedAt);
    const expiresAt = Date.parse(command.expiresAt);
    const deviceNow = now + this.skewMs;
    if (expiresAt <= issuedAt || expiresAt - issuedAt > DEVICE_LIMITS.maxCommandLifetimeMs) {
      return reply('INVALID', `a command may live at most ${DEVICE_LIMITS.maxCommandLifetimeMs / 1000} s`);
    }
    if (expiresAt <= deviceNow) {
      return reply('REJECTED_EXPIRED', `expired at ${command.expiresAt}; the cuff's time is ${this.deviceTime(now)}`);
    }
    if (issuedAt > deviceNow + DEVICE_LIMITS.maxCommandLifetimeMs) {
      return reply('REJECTED_EXPIRED', `issued at ${command.issuedAt}, in the cuff's future (${this.deviceTime(now)}): the clocks disagree`);
    }

    if (command.type === 'PUSH_PROGRAM') {
      const known = this.knownPrograms.get(command.body.programId);
      if (known !== undefined && known !== command.body.sha256) {
        return reply('REJECTED_CONFLICT', `program ${command.body.programId} is already known with another hash`);
      }
      if (known !== undefined && this.loaded?.program.programId === command.body.programId) {
        return reply('OK', 'program already loaded');
      }
    }
    if (!acceptedIn(this.currentState, command.type)) {
      return reply('REJECTED_STATE', `${command.type} is not accepted in ${this.currentState}`);
    }

    switch (command.type) {
      case 'SELF_TEST':
        if (!this.heartbeatFresh(now)) {
          return reply('REJECTED_STATE', 'no controller heartbeat: the cuff does not inflate without one');
        }
        this.loaded = null;
        this.procedure = { kind: 'self-test', test: new SelfTest(now) };
        this.enter('SELF_TEST', now);
        return reply('OK');
      case 'MEASURE_LOP': {
        if (!this.description.channels.includes(command.body.channel)) {
          return reply('INVALID', `this cuff has no channel ${command.body.channel}`);
        }
        if (!this.heartbeatFresh(now)) {
          return reply('REJECTED_STATE', 'no controller heartbeat: the cuff does not inflate without one');
        }
        // A new LOP changes every target: the loaded program no longer holds.
        this.loaded = null;
        this.procedure = { kind: 'lop', phase: 'zero', zero: new Zeroing(now), search: new LopSearch(command.body.channel, command.body.posture, now, SIM_STEP_MS) };
        this.enter('MEASURING_LOP', now);
        return reply('OK');
      }
      case 'PUSH_PROGRAM': {
        const { program, sha256, programId } = command.body;
        if (programId !== program.programId) {
          return reply('INVALID', `body.programId ${programId} differs from program.programId ${program.programId}`);
        }
        const actual = programSha256(program);
        if (actual !== sha256) {
          return reply('INVALID', `sha256 does not match the program (the cuff computed ${actual})`);
        }
        const missing = program.cuffs.filter((cuff) => !this.description.channels.includes(cuff.channel));
        if (missing.length > 0) {
          return reply('INVALID', `this cuff has no channel ${missing.map((c) => c.channel).join(', ')}`);
        }
        const breaches = programLimitBreaches(program);
        if (breaches.length > 0) {
          return reply('REJECTED_LIMIT', breaches.map((b) => `${b.requirement} ${b.path}: ${b.message}`).join('; ').slice(0, 500));
        }
        this.knownPrograms.set(programId, sha256);
        this.loaded = { program, sha256 };
        this.enter('PROGRAM_LOADED', now);
        return reply('OK');
      }
      case 'START': {
        if (!this.loaded || this.loaded.program.programId !== command.body.programId) {
          return reply('REJECTED_STATE', `program ${command.body.programId} is not the one loaded`);
        }
        if (!this.heartbeatFresh(now)) {
          return reply('REJECTED_STATE', 'no controller heartbeat: the cuff does not inflate without one');
        }
        const first = this.loaded.program.blocks[0];
        this.run = { ...this.loaded, blockIndex: 0, setIndex: 0, setRemainingMs: first.sets[0].workS * 1000, setStarted: false, phaseEndsAtMs: null, inflatingSinceMs: now };
        for (const unit of this.units) {
          unit.blockOcclusionMs = 0;
          unit.sessionOcclusionMs = 0;
        }
        this.beginInflating(now);
        return reply('OK');
      }
      case 'NEXT_SET':
        if (this.currentState === 'HOLDING') {
          this.completeSet(now);
        } else {
          this.endRest(now);
        }
        return reply('OK');
      case 'PAUSE':
        this.deflate('PAUSED', now);
        return reply('OK');
      case 'RESUME': {
        const run = this.run as ProgramRun;
        const unit = this.unit(run.program.blocks[run.blockIndex].channel);
        if (unit.blockOcclusionMs >= this.blockLimitMs(run) || unit.sessionOcclusionMs >= this.sessionLimitMs(run)) {
          return reply('REJECTED_LIMIT', 'the block or session occlusion time is used up');
        }
        if (!this.heartbeatFresh(now)) {
          return reply('REJECTED_STATE', 'no controller heartbeat: the cuff does not inflate without one');
        }
        this.beginInflating(now);
        return reply('OK');
      }
      case 'DEFLATE':
      case 'ABORT':
        this.bringDown(command.type, now);
        return reply('OK');
      case 'CLEAR_ALARM': {
        const stillUp = this.units.filter((unit) => !unit.limiter.reset());
        if (stillUp.length > 0) {
          return reply('FAILED', `channel ${stillUp.map((u) => u.channel).join(', ')} is still under pressure`);
        }
        this.units.forEach((unit) => unit.clearSensorFault());
        this.enter('IDLE', now);
        return reply('OK');
      }
    }
  }

  private ack(ackOf: string, result: AckResult, now: number, detail?: string): Ack {
    return {
      v: PROTOCOL_VERSION,
      msgId: randomUUID(),
      type: 'ACK',
      deviceId: this.deviceId,
      ackOf,
      result,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
      state: this.currentState,
      ...(this.loaded ? { programSha256: this.loaded.sha256 } : {}),
      at: this.deviceTime(now),
    };
  }

  private remember(msgId: string, seq: number): void {
    this.lastSeq = max(this.lastSeq, seq);
    this.seenMsgIds.add(msgId);
    if (this.seenMsgIds.size > REMEMBERED_MSG_IDS) {
      this.seenMsgIds.delete(this.seenMsgIds.values().next().value as string);
    }
  }

  /** DEFLATE, ABORT and the button: down now, from any state (SR-13). */
  private bringDown(how: 'DEFLATE' | 'ABORT' | 'BUTTON', now: number): void {
    switch (this.currentState) {
      case 'IDLE':
      case 'READY':
      case 'DONE':
      case 'ABORTED':
      case 'FAULT':
      case 'ALARM_DEFLATING':
        this.units.forEach((unit) => unit.openValves());
        return;
      case 'PROGRAM_LOADED':
        this.units.forEach((unit) => unit.openValves());
        if (how !== 'DEFLATE') {
          this.loaded = null;
          this.enter('ABORTED', now);
        }
        return;
      case 'SELF_TEST':
        this.deflate('IDLE', now);
        return;
      case 'MEASURING_LOP':
        if (this.procedure?.kind === 'lop') {
          this.emit({ kind: 'LOP_MEASURED', lop: { ...this.procedure.search.aborted(), measuredAt: this.deviceTime(now) } }, now);
        }
        this.deflate('READY', now);
        return;
      case 'DEFLATING':
        if (this.afterDeflate !== 'IDLE' && this.afterDeflate !== 'READY') {
          this.afterDeflate = 'ABORTED';
        }
        return;
      default:
        this.deflate('ABORTED', now);
    }
  }

  private faultSwitches(): CuffFaults {
    return {
      leak: (channel, mmHgPerS) => {
        this.catchUp();
        this.unit(channel).cuff.faultLeakMmHgPerS = mmHgPerS;
      },
      dumpValve: (channel, fault) => {
        this.catchUp();
        this.unit(channel).cuff.dumpValveFault = fault;
      },
      pumpRunaway: (channel, on) => {
        this.catchUp();
        this.unit(channel).cuff.pumpRunaway = on;
      },
      sensor: (channel, fault) => {
        this.catchUp();
        this.unit(channel).sensor.fault = fault;
      },
      neverAck: (on) => {
        this.silent = on;
      },
      clockSkew: (ms) => {
        this.skewMs = ms;
      },
      reboot: () => this.reboot(),
      pressButton: () => {
        this.catchUp();
        const now = this.timers.now();
        this.emit({ kind: 'BUTTON_PRESSED' }, now);
        this.bringDown('BUTTON', now);
      },
    };
  }

  private reboot(): void {
    this.catchUp();
    const now = this.timers.now();
    const from = this.currentState;
    // Unpowered, the valves fall open and the pump stops; the limiter re-arms with the power.
    this.units.forEach((unit) => unit.powerCycle());
    this.loaded = null;
    this.run = null;
    this.procedure = null;
    this.knownPrograms.clear();
    this.seenMsgIds.clear();
    this.lastHeartbeatMs = MINUS_INFINITY;
    this.currentState = 'IDLE';
    this.emit({ kind: 'BOOTED', reason: 'reboot' }, now);
    if (from !== 'IDLE') {
      this.emit({ kind: 'STATE_CHANGED', from, to: 'IDLE' }, now);
    }
  }

  private tick(): void {
    this.catchUp();
    this.publishTelemetry(this.simulatedUntil);
  }

  /** Runs the 100 Hz firmware and physics up to the present. */
  private catchUp(): void {
    const now = this.timers.now();
    while (this.simulatedUntil + SIM_STEP_MS <= now) {
      this.simulatedUntil += SIM_STEP_MS;
      this.step(this.simulatedUntil);
    }
  }

  private step(at: number): void {
    const dtS = SIM_STEP_MS / 1000;
    const raw = this.rawReadings;
    for (const unit of this.units) {
      const reading = unit.step(at, dtS);
      raw.set(unit.channel, reading);
      const sensorFault = unit.read(reading);
      if (sensorFault) {
        // The firmware no longer sees the pressure: it opens every valve it has.
        unit.limiter.cut();
        this.alarm('SENSOR_FAULT', unit.channel, `pressure sensor of channel ${unit.channel} ${sensorFault}`, at);
      }
    }
    if (this.currentState !== 'ALARM_DEFLATING' && this.currentState !== 'FAULT') {
      this.checkHardLimits(at);
    }
    if (WATCHED_BY_HEARTBEAT.has(this.currentState) && !this.heartbeatFresh(at)) {
      this.alarm('HEARTBEAT_LOST', null, `no controller heartbeat for ${DEVICE_LIMITS.watchdogMs / 1000} s`, at);
    }
    this.advanceState(at, raw);
    for (const unit of this.units) {
      this.account(unit, at);
    }
  }

  private checkHardLimits(at: number): void {
    const trip = min(this.run?.program.limits.tripMmHg ?? DEVICE_LIMITS.tripMmHg, DEVICE_LIMITS.tripMmHg);
    for (const unit of this.units) {
      if (unit.limiter.tripped !== null) {
        this.alarm('INDEPENDENT_CUTOFF', unit.channel, `the independent limiter of channel ${unit.channel} cut the pump (${unit.limiter.tripped})`, at);
        return;
      }
      if (!unit.sensorFaulted && unit.last >= trip) {
        this.alarm('OVERPRESSURE_TRIP', unit.channel, `channel ${unit.channel} read ${unit.last.toFixed(1)} mmHg, at or above the ${trip} mmHg trip`, at);
        return;
      }
    }
  }

  private advanceState(at: number, raw: Map<Channel, number>): void {
    switch (this.currentState) {
      case 'SELF_TEST':
        this.selfTestStep(at, raw);
        return;
      case 'MEASURING_LOP':
        this.lopStep(at, raw);
        return;
      case 'INFLATING':
        this.inflatingStep(at);
        return;
      case 'HOLDING':
      case 'SET_REST':
        this.holdingStep(at);
        return;
      case 'DEFLATING':
      case 'ALARM_DEFLATING':
        this.deflatingStep(at);
        return;
      case 'REPERFUSION': {
        const run = this.run as ProgramRun;
        if (run.phaseEndsAtMs !== null && at >= run.phaseEndsAtMs) {
          run.blockIndex += 1;
          run.setIndex = 0;
          run.setRemainingMs = run.program.blocks[run.blockIndex].sets[0].workS * 1000;
          run.setStarted = false;
          this.units.forEach((unit) => (unit.blockOcclusionMs = 0));
          this.beginInflating(at);
        }
        return;
      }
      default:
        this.units.forEach((unit) => unit.openValves());
    }
  }

  private selfTestStep(at: number, raw: Map<Channel, number>): void {
    if (this.procedure?.kind !== 'self-test') {
      return;
    }
    const outcome = this.procedure.test.step(at, this.units, raw);
    if (outcome) {
      this.procedure = null;
      this.emit({ kind: outcome.passed ? 'SELF_TEST_PASSED' : 'SELF_TEST_FAILED', detail: outcome.detail }, at);
      this.enter(outcome.passed ? 'READY' : 'FAULT', at);
    }
  }

  private lopStep(at: number, raw: Map<Channel, number>): void {
    const measure = this.procedure;
    if (measure?.kind !== 'lop') {
      return;
    }
    const unit = this.unit(measure.search.channel);
    this.units.filter((other) => other !== unit).forEach((other) => other.openValves());
    if (measure.phase === 'zero') {
      unit.openValves();
      const zeroing = measure.zero.step(at, new Map([[unit.channel, raw.get(unit.channel) as number]]));
      if (zeroing === 'done') {
        unit.zeroAt(measure.zero.zeroOf(unit.channel));
        measure.phase = 'search';
      } else if (zeroing === 'failed') {
        this.finishLop({ ...measure.search.aborted(), reason: 'TIMEOUT' }, at);
      }
      return;
    }
    unit.cuff.dumpOpen = false;
    unit.cuff.bleedOpen = false;
    const outcome = measure.search.step(at, unit.last);
    if ('pump' in outcome) {
      unit.cuff.pumpOn = outcome.pump;
    } else {
      this.finishLop(outcome.result, at);
    }
  }

  private finishLop(result: ReturnType<LopSearch['aborted']>, at: number): void {
    this.emit({ kind: 'LOP_MEASURED', lop: { ...result, measuredAt: this.deviceTime(at) } }, at);
    this.procedure = null;
    this.deflate('READY', at);
  }

  private beginInflating(at: number): void {
    const run = this.run as ProgramRun;
    run.inflatingSinceMs = at;
    run.phaseEndsAtMs = null;
    const block = run.program.blocks[run.blockIndex];
    for (const unit of this.units) {
      unit.target = unit.channel === block.channel ? block.targetMmHg : null;
      unit.cuff.exercise = null;
      if (unit.target === null) {
        unit.openValves();
      }
    }
    this.enter('INFLATING', at);
  }

  private inflatingStep(at: number): void {
    const run = this.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.unit(block.channel);
    unit.cuff.dumpOpen = false;
    unit.cuff.bleedOpen = false;
    unit.cuff.pumpOn = true;
    if (unit.fast >= block.targetMmHg - HOLDING_FROM_BELOW_MMHG) {
      unit.regulator.restart();
      this.beginHolding(at);
    } else if (at - run.inflatingSinceMs > DEVICE_LIMITS.inflateTimeoutS * 1000) {
      this.alarm('INFLATION_TIMEOUT', block.channel, `channel ${block.channel} did not reach ${block.targetMmHg} mmHg in ${DEVICE_LIMITS.inflateTimeoutS} s`, at);
    }
  }

  private beginHolding(at: number): void {
    const run = this.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.unit(block.channel);
    const set = block.sets[run.setIndex];
    if (block.mode !== 'passive' && set.reps > 0) {
      unit.cuff.exercise = { periodS: min(6, max(2, set.workS / set.reps)), sinceMs: at };
    }
    unit.leak.forget();
    this.enter('HOLDING', at);
    if (!run.setStarted) {
      run.setStarted = true;
      this.emit({ kind: 'SET_STARTED', blockId: block.blockId, blockIndex: run.blockIndex, setIndex: run.setIndex, targetMmHg: block.targetMmHg }, at);
    }
  }

  private holdingStep(at: number): void {
    const run = this.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.unit(block.channel);
    const inflated = this.currentState === 'HOLDING' || block.inflatedDuringRest;
    if (inflated) {
      unit.regulate(block.targetMmHg, at);
      this.watchWindow(unit, block.targetMmHg, run, at);
      if (this.currentState !== 'HOLDING' && this.currentState !== 'SET_REST') {
        return;
      }
      this.watchLeak(unit, at);
      if (this.currentState !== 'HOLDING' && this.currentState !== 'SET_REST') {
        return;
      }
    } else {
      unit.openValves();
    }
    if (this.currentState === 'HOLDING') {
      run.setRemainingMs -= SIM_STEP_MS;
      if (run.setRemainingMs <= 0) {
        this.completeSet(at);
      }
    } else if (run.phaseEndsAtMs !== null && at >= run.phaseEndsAtMs) {
      this.endRest(at);
    }
  }

  /** SR-8: outside the window for 1 s sounds an alarm; above it for 5 s deflates. */
  private watchWindow(unit: CuffChannel, target: number, run: ProgramRun, at: number): void {
    const window = min(run.program.limits.windowMmHg, DEVICE_LIMITS.windowMmHg);
    const averaged = unit.average.mean(unit.averageSteps());
    const high = averaged > target + window;
    const low = averaged < target - window;
    unit.highSinceMs = high ? (unit.highSinceMs ?? at) : null;
    unit.lowSinceMs = low ? (unit.lowSinceMs ?? at) : null;
    if (unit.highSinceMs !== null && at - unit.highSinceMs >= DEVICE_LIMITS.overWindowDeflateMs) {
      this.alarm('PRESSURE_HIGH', unit.channel, `channel ${unit.channel} above ${target + window} mmHg for ${DEVICE_LIMITS.overWindowDeflateMs / 1000} s`, at);
      return;
    }
    this.advisory(unit, 'PRESSURE_HIGH', unit.highSinceMs !== null && at - unit.highSinceMs >= DEVICE_LIMITS.windowAlarmDelayMs, `channel ${unit.channel} above ${target + window} mmHg`, at);
    this.advisory(unit, 'PRESSURE_LOW', unit.lowSinceMs !== null && at - unit.lowSinceMs >= DEVICE_LIMITS.windowAlarmDelayMs, `channel ${unit.channel} below ${target - window} mmHg`, at);
  }

  /** SR-9: the pump making up lost air raises CUFF_LEAK; a fast loss deflates. */
  private watchLeak(unit: CuffChannel, at: number): void {
    const steps = unit.averageSteps();
    const airIn = (unit.cuff.pumpOn ? pumpRate(unit.average.mean(steps)) : 0) - (unit.cuff.bleedOpen ? PNEUMATICS.bleedMmHgPerS : 0);
    unit.leak.push(airIn * (SIM_STEP_MS / 1000), unit.last);
    const loss = unit.leak.lossRate(steps, SIM_STEP_MS / 1000);
    if (loss === null) {
      return;
    }
    if (loss > DEVICE_LIMITS.leakDeflateMmHgPerS) {
      this.alarm('CUFF_LEAK', unit.channel, `channel ${unit.channel} loses ${loss.toFixed(1)} mmHg/s (limit ${DEVICE_LIMITS.leakDeflateMmHgPerS})`, at);
      return;
    }
    const leaking = unit.advisories.has('CUFF_LEAK') ? loss > DEVICE_LIMITS.leakAlarmMmHgPerS / 2 : loss > DEVICE_LIMITS.leakAlarmMmHgPerS;
    this.advisory(unit, 'CUFF_LEAK', leaking, `channel ${unit.channel} loses ${loss.toFixed(1)} mmHg/s; the pump is making it up`, at);
  }

  private advisory(unit: CuffChannel, alarm: AlarmCode, active: boolean, detail: string, at: number): void {
    if (active && !unit.advisories.has(alarm)) {
      unit.advisories.add(alarm);
      this.emit({ kind: 'ALARM_RAISED', alarm, channel: unit.channel, action: 'none', detail }, at);
    } else if (!active && unit.advisories.has(alarm)) {
      unit.advisories.delete(alarm);
      this.emit({ kind: 'ALARM_CLEARED', alarm, channel: unit.channel }, at);
    }
  }

  private clearAdvisories(unit: CuffChannel, at: number): void {
    for (const alarm of [...unit.advisories]) {
      this.advisory(unit, alarm, false, '', at);
    }
    unit.highSinceMs = null;
    unit.lowSinceMs = null;
  }

  private completeSet(at: number): void {
    const run = this.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.unit(block.channel);
    const set = block.sets[run.setIndex];
    unit.cuff.exercise = null;
    this.emit(
      { kind: 'SET_COMPLETED', blockId: block.blockId, blockIndex: run.blockIndex, setIndex: run.setIndex, workS: round(set.workS * 1000 - max(0, run.setRemainingMs)) / 1000 },
      at,
    );
    if (run.setIndex + 1 < block.sets.length) {
      run.setIndex += 1;
      run.setRemainingMs = block.sets[run.setIndex].workS * 1000;
      run.setStarted = false;
      run.phaseEndsAtMs = at + block.setRestS * 1000;
      if (block.inflatedDuringRest) {
        unit.leak.forget();
      } else {
        this.clearAdvisories(unit, at);
        unit.target = null;
        unit.openValves();
      }
      this.enter('SET_REST', at);
      if (block.setRestS === 0) {
        this.endRest(at);
      }
      return;
    }
    this.emit({ kind: 'BLOCK_COMPLETED', blockId: block.blockId, blockIndex: run.blockIndex, occlusionS: unit.blockOcclusionMs / 1000 }, at);
    this.deflate(run.blockIndex + 1 < run.program.blocks.length ? 'REPERFUSION' : 'DONE', at);
  }

  private endRest(at: number): void {
    const run = this.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    if (block.inflatedDuringRest) {
      this.beginHolding(at);
    } else {
      this.beginInflating(at);
    }
  }

  /** Deflates every cuff; `then` is where the cuff goes once they are down. */
  private deflate(then: CuffState, at: number): void {
    this.afterDeflate = then;
    this.deflatingSinceMs = at;
    for (const unit of this.units) {
      this.clearAdvisories(unit, at);
      unit.target = null;
      unit.cuff.exercise = null;
      unit.openValves();
    }
    this.enter('DEFLATING', at);
  }

  private deflatingStep(at: number): void {
    this.units.forEach((unit) => unit.openValves());
    const faulted = this.units.some((unit) => unit.sensorFaulted);
    const down = faulted ? at - this.deflatingSinceMs >= DEFLATE_DEADLINE_MS : this.units.every((unit) => unit.fast <= DEVICE_LIMITS.deflatedMmHg);
    if (down) {
      if (this.currentState === 'ALARM_DEFLATING') {
        this.enter('FAULT', at);
        return;
      }
      const then = this.afterDeflate;
      if (then === 'REPERFUSION') {
        const run = this.run as ProgramRun;
        run.phaseEndsAtMs = at + run.program.blocks[run.blockIndex].reperfusionS * 1000;
      }
      if (then === 'DONE' || then === 'ABORTED') {
        const programId = this.run?.program.programId;
        this.run = null;
        this.loaded = null;
        this.enter(then, at);
        if (then === 'DONE' && programId) {
          this.emit({ kind: 'SESSION_COMPLETED', programId }, at);
        }
        return;
      }
      this.enter(then, at);
      return;
    }
    if (at - this.deflatingSinceMs >= DEFLATE_DEADLINE_MS && this.units.some((unit) => unit.limiter.tripped === null && unit.fast > DEVICE_LIMITS.deflatedMmHg)) {
      // The valves did not bring the pressure down in time (stuck valve, runaway pump): the limiter's relief will.
      this.units.forEach((unit) => unit.limiter.cut());
      if (this.currentState === 'DEFLATING') {
        this.alarm('INDEPENDENT_CUTOFF', null, `the cuffs were not down ${DEFLATE_DEADLINE_MS / 1000} s after deflation began`, at);
      }
    }
  }

  /** A limit breach or a lost link: deflate now, then FAULT. */
  private alarm(alarm: AlarmCode, channel: Channel | null, detail: string, at: number): void {
    if (this.currentState === 'ALARM_DEFLATING' || this.currentState === 'FAULT') {
      return;
    }
    if (this.procedure?.kind === 'lop') {
      this.emit({ kind: 'LOP_MEASURED', lop: { ...this.procedure.search.aborted(), measuredAt: this.deviceTime(at) } }, at);
    }
    this.procedure = null;
    this.run = null;
    this.loaded = null;
    this.emit({ kind: 'ALARM_RAISED', alarm, channel, action: 'deflate', detail }, at);
    for (const unit of this.units) {
      this.clearAdvisories(unit, at);
      unit.target = null;
      unit.cuff.exercise = null;
      unit.openValves();
    }
    this.deflatingSinceMs = at;
    this.enter('ALARM_DEFLATING', at);
  }

  /** Occlusion time (SR-4, SR-6): counted while the block's cuff is held at pressure. */
  private account(unit: CuffChannel, at: number): void {
    const run = this.run;
    if (!run || unit.target === null || (this.currentState !== 'HOLDING' && this.currentState !== 'SET_REST')) {
      return;
    }
    unit.blockOcclusionMs += SIM_STEP_MS;
    unit.sessionOcclusionMs += SIM_STEP_MS;
    if (unit.blockOcclusionMs > this.blockLimitMs(run)) {
      this.alarm('BLOCK_TIME_LIMIT', unit.channel, `channel ${unit.channel} occluded for more than ${this.blockLimitMs(run) / 1000} s in one block`, at);
    } else if (unit.sessionOcclusionMs > this.sessionLimitMs(run)) {
      this.alarm('SESSION_TIME_LIMIT', unit.channel, `channel ${unit.channel} occluded for more than ${this.sessionLimitMs(run) / 1000} s in the session`, at);
    }
  }

  private blockLimitMs(run: ProgramRun): number {
    return min(run.program.limits.maxBlockInflationS, DEVICE_LIMITS.maxBlockInflationS) * 1000;
  }

  private sessionLimitMs(run: ProgramRun): number {
    return min(run.program.limits.maxSessionInflationS, DEVICE_LIMITS.maxSessionInflationS) * 1000;
  }

  private heartbeatFresh(at: number): boolean {
    return at - this.lastHeartbeatMs <= DEVICE_LIMITS.watchdogMs;
  }

  private publishTelemetry(at: number): void {
    const channels = this.units.map((unit) => unit.takeTelemetry());
    this.telemetrySubject.next({
      v: PROTOCOL_VERSION,
      type: 'TELEMETRY',
      deviceId: this.deviceId,
      at: this.deviceTime(at),
      state: this.currentState,
      programId: this.run?.program.programId ?? this.loaded?.program.programId ?? null,
      blockIndex: this.run?.blockIndex ?? null,
      setIndex: this.run?.setIndex ?? null,
      channels,
    });
  }

  private enter(next: CuffState, at: number): void {
    const from = this.currentState;
    if (from === next) {
      return;
    }
    this.currentState = next;
    this.emit({ kind: 'STATE_CHANGED', from, to: next }, at);
  }

  private emit(event: EventDetail, at: number): void {
    this.eventSubject.next({
      v: PROTOCOL_VERSION,
      type: 'EVENT',
      msgId: randomUUID(),
      deviceId: this.deviceId,
      at: this.deviceTime(at),
      state: this.currentState,
      programId: this.run?.program.programId ?? this.loaded?.program.programId ?? null,
      event,
    });
  }

  private deviceTime(at: number): string {
    return new Date(at + this.skewMs).toISOString();
  }

  private unit(channel: Channel): CuffChannel {
    const unit = this.units.find((u) => u.channel === channel);
    if (!unit) {
      throw new Error(`cuff ${this.deviceId} has no channel ${channel}`);
    }
    return unit;
  }
}
