import { randomUUID } from 'node:crypto';

import { Observable, Subject } from 'rxjs';

import type { Channel } from '../device-adapter/cuff-program';
import {
  type Ack,
  type AckResult,
  type CuffState,
  type DeviceDescription,
  type DeviceEvent,
  PROTOCOL_VERSION,
  type StateSnapshot,
  type Telemetry,
} from '../device-adapter/protocol';
import type { TimerHandle, Timers } from '../device-adapter/timers';
import { AlarmWatch } from './alarm-watch';
import { Advisories } from './advisories';
import { answerableMsgId, CommandAdmission } from './command-admission';
import { CommandExecution } from './command-execution';
import { CuffChannel } from './cuff-channel';
import { SIM_STEP_MS, type SensorFault, type ValveFault } from './cuff-physics';
import { Deflation } from './deflation';
import { FirmwareState } from './firmware-state';
import { Procedures } from './procedures';
import { ProgramAdmission } from './program-admission';
import { ProgramRunner } from './program-runner';
import { SeededRandom } from '../common/seeded-random';

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

const TELEMETRY_MS = 100;

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
  private readonly firmware: FirmwareState;
  private readonly admission: CommandAdmission;
  private readonly programs: ProgramAdmission;
  private readonly commands: CommandExecution;
  private readonly watch: AlarmWatch;
  private readonly deflation: Deflation;
  private readonly procedures: Procedures;
  private readonly runner: ProgramRunner;
  private readonly rawReadings = new Map<Channel, number>();
  private simulatedUntil = 0;
  private ticker: TimerHandle | undefined;
  private silent = false;

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
    const random = new SeededRandom(options.seed ?? 1);
    const lop = { A: 180, B: 200, ...options.lopMmHg };
    const units = channels.map(
      (channel) =>
        new CuffChannel(
          channel,
          {
            lopMmHg: lop[channel],
            heartRateBpm: options.heartRateBpm ?? 72,
            pulseAmplitudeMmHg: options.pulseAmplitudeMmHg ?? 2,
          },
          random,
        ),
    );
    this.firmware = new FirmwareState(options.deviceId, units, this.eventSubject);
    const advisories = new Advisories(this.firmware);
    this.deflation = new Deflation(this.firmware, advisories);
    this.watch = new AlarmWatch(this.firmware, advisories, this.deflation);
    this.runner = new ProgramRunner(this.firmware, this.deflation, this.watch, advisories);
    this.procedures = new Procedures(this.firmware, this.deflation);
    this.admission = new CommandAdmission(this.firmware);
    this.programs = new ProgramAdmission(channels);
    this.commands = new CommandExecution(
      this.firmware,
      channels,
      this.programs,
      this.procedures,
      this.runner,
      this.deflation,
      this.watch,
    );
    this.telemetry$ = this.telemetrySubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.faults = this.faultSwitches();
  }

  get state(): CuffState {
    return this.firmware.state;
  }

  /** The program the cuff holds, if any. */
  get program(): { programId: string; sha256: string } | null {
    const loaded = this.firmware.loaded;
    return loaded ? { programId: loaded.program.programId, sha256: loaded.sha256 } : null;
  }

  /** True pressure in a cuff (air, muscle and pulse), as a perfect gauge would read it: for tests and invariants. */
  pressure(channel: Channel): number {
    return this.firmware.unit(channel).cuff.pressureAt(this.simulatedUntil);
  }

  /**
   * The cuff's own record since power-on, from the true pressure: the highest pressure and the
   * longest spell above 10 mmHg. What an inspection of the cuff would look at after an incident.
   */
  record(channel: Channel): { peakMmHg: number; longestInflatedS: number } {
    return this.firmware.unit(channel).history(this.simulatedUntil);
  }

  /** Whether the independent limiter of a channel has tripped. */
  limiterTripped(channel: Channel): boolean {
    return this.firmware.unit(channel).limiter.tripped !== null;
  }

  /** Occlusion of the current block and of the current program run, seconds. */
  occlusionS(channel: Channel): { block: number; session: number } {
    const unit = this.firmware.unit(channel);
    return { block: unit.blockOcclusionMs / 1000, session: unit.sessionOcclusionMs / 1000 };
  }

  /** Powers the cuff on: IDLE, deflated. */
  start(): void {
    if (this.ticker) {
      return;
    }
    this.simulatedUntil = this.timers.now();
    this.ticker = this.timers.setInterval(() => this.tick(), TELEMETRY_MS);
    this.firmware.emit({ kind: 'BOOTED', reason: 'power-on' }, this.simulatedUntil);
  }

  stop(): void {
    this.timers.clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** The controller's heartbeat (SR-7). */
  heartbeat(): void {
    this.catchUp();
    this.watch.heartbeat(this.timers.now());
  }

  snapshot(): StateSnapshot {
    const firmware = this.firmware;
    return {
      v: PROTOCOL_VERSION,
      type: 'STATE',
      deviceId: this.deviceId,
      at: firmware.deviceTime(this.timers.now()),
      state: firmware.state,
      programId: firmware.loaded?.program.programId ?? null,
      programSha256: firmware.loaded?.sha256 ?? null,
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
    const msgId = answerableMsgId(raw);
    const reply = (result: AckResult, detail?: string) =>
      msgId !== null ? this.ack(msgId, result, now, detail) : null;
    const admission = this.admission.admit(raw, now);
    switch (admission.kind) {
      case 'deflate':
        this.deflation.bringDown(admission.how, now);
        return reply('OK');
      case 'refused':
        return reply(admission.result, admission.detail);
      case 'admitted': {
        const outcome = this.commands.execute(admission.command, now);
        return reply(outcome.result, outcome.detail);
      }
    }
  }

  private ack(ackOf: string, result: AckResult, now: number, detail?: string): Ack {
    const firmware = this.firmware;
    return {
      v: PROTOCOL_VERSION,
      msgId: randomUUID(),
      type: 'ACK',
      deviceId: this.deviceId,
      ackOf,
      result,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
      state: firmware.state,
      ...(firmware.loaded ? { programSha256: firmware.loaded.sha256 } : {}),
      at: firmware.deviceTime(now),
    };
  }

  private faultSwitches(): CuffFaults {
    const unit = (channel: Channel) => this.firmware.unit(channel);
    return {
      leak: (channel, mmHgPerS) => {
        this.catchUp();
        unit(channel).cuff.faultLeakMmHgPerS = mmHgPerS;
      },
      dumpValve: (channel, fault) => {
        this.catchUp();
        unit(channel).cuff.dumpValveFault = fault;
      },
      pumpRunaway: (channel, on) => {
        this.catchUp();
        unit(channel).cuff.pumpRunaway = on;
      },
      sensor: (channel, fault) => {
        this.catchUp();
        unit(channel).sensor.fault = fault;
      },
      neverAck: (on) => {
        this.silent = on;
      },
      clockSkew: (ms) => {
        this.firmware.skewMs = ms;
      },
      reboot: () => this.reboot(),
      pressButton: () => {
        this.catchUp();
        const now = this.timers.now();
        this.firmware.emit({ kind: 'BUTTON_PRESSED' }, now);
        this.deflation.bringDown('BUTTON', now);
      },
    };
  }

  private reboot(): void {
    this.catchUp();
    const now = this.timers.now();
    const firmware = this.firmware;
    const from = firmware.state;
    // Unpowered, the valves fall open and the pump stops; the limiter re-arms with the power.
    firmware.units.forEach((unit) => unit.powerCycle());
    firmware.loaded = null;
    firmware.run = null;
    firmware.procedure = null;
    this.programs.forget();
    this.admission.forgetMessages();
    this.watch.forgetHeartbeat();
    firmware.state = 'IDLE';
    firmware.emit({ kind: 'BOOTED', reason: 'reboot' }, now);
    if (from !== 'IDLE') {
      firmware.emit({ kind: 'STATE_CHANGED', from, to: 'IDLE' }, now);
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
    for (const unit of this.firmware.units) {
      const reading = unit.step(at, dtS);
      raw.set(unit.channel, reading);
      const sensorFault = unit.read(reading);
      if (sensorFault) {
        this.watch.sensorFailed(unit, sensorFault, at);
      }
    }
    this.watch.check(at);
    this.advanceState(at, raw);
    this.runner.account(at);
  }

  private advanceState(at: number, raw: Map<Channel, number>): void {
    switch (this.firmware.state) {
      case 'SELF_TEST':
        this.procedures.selfTestStep(at, raw);
        return;
      case 'MEASURING_LOP':
        this.procedures.lopStep(at, raw);
        return;
      case 'INFLATING':
      case 'HOLDING':
      case 'SET_REST':
      case 'REPERFUSION':
        this.runner.step(at);
        return;
      case 'DEFLATING':
      case 'ALARM_DEFLATING':
        this.deflation.step(at);
        return;
      default:
        this.firmware.units.forEach((unit) => unit.openValves());
    }
  }

  private publishTelemetry(at: number): void {
    const firmware = this.firmware;
    const channels = firmware.units.map((unit) => unit.takeTelemetry());
    this.telemetrySubject.next({
      v: PROTOCOL_VERSION,
      type: 'TELEMETRY',
      deviceId: this.deviceId,
      at: firmware.deviceTime(at),
      state: firmware.state,
      programId: firmware.programId(),
      blockIndex: firmware.run?.blockIndex ?? null,
      setIndex: firmware.run?.setIndex ?? null,
      channels,
    });
  }
}
