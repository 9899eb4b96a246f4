import type { Channel } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { AlarmCode, CuffState } from '../device-adapter/protocol';
import type { Advisories } from './advisories';
import type { FirmwareState, ProgramRun } from './firmware-state';

const DEFLATE_DEADLINE_MS = 10_000;

/**
 * The way down to the safe state: an ordinary deflation that goes on to where the cuff was headed
 * (reperfusion, done, paused, aborted, ready), the alarm deflation that ends in FAULT, and the
 * relief of the independent limiter when the valves have not brought the pressure down in time.
 */
export class Deflation {
  private afterDeflate: CuffState = 'ABORTED';
  private sinceMs = 0;

  constructor(
    private readonly firmware: FirmwareState,
    private readonly advisories: Advisories,
  ) {}

  /** Deflates every cuff; `then` is where the cuff goes once they are down. */
  deflate(then: CuffState, at: number): void {
    this.afterDeflate = then;
    this.sinceMs = at;
    for (const unit of this.firmware.units) {
      this.advisories.clearAll(unit, at);
      unit.target = null;
      unit.cuff.exercise = null;
      unit.openValves();
    }
    this.firmware.enter('DEFLATING', at);
  }

  /** A limit breach or a lost link: deflate now, then FAULT. */
  alarm(alarm: AlarmCode, channel: Channel | null, detail: string, at: number): void {
    const firmware = this.firmware;
    if (firmware.state === 'ALARM_DEFLATING' || firmware.state === 'FAULT') {
      return;
    }
    firmware.reportLopAborted(at);
    firmware.procedure = null;
    firmware.run = null;
    firmware.loaded = null;
    firmware.emit({ kind: 'ALARM_RAISED', alarm, channel, action: 'deflate', detail }, at);
    for (const unit of firmware.units) {
      this.advisories.clearAll(unit, at);
      unit.target = null;
      unit.cuff.exercise = null;
      unit.openValves();
    }
    this.sinceMs = at;
    firmware.enter('ALARM_DEFLATING', at);
  }

  /** DEFLATE, ABORT and the button: down now, from any state (SR-13). */
  bringDown(how: 'DEFLATE' | 'ABORT' | 'BUTTON', now: number): void {
    const firmware = this.firmware;
    switch (firmware.state) {
      case 'IDLE':
      case 'READY':
      case 'DONE':
      case 'ABORTED':
      case 'FAULT':
      case 'ALARM_DEFLATING':
        firmware.units.forEach((unit) => unit.openValves());
        return;
      case 'PROGRAM_LOADED':
        firmware.units.forEach((unit) => unit.openValves());
        if (how !== 'DEFLATE') {
          firmware.loaded = null;
          firmware.enter('ABORTED', now);
        }
        return;
      case 'SELF_TEST':
        firmware.procedure = null;
        this.deflate('IDLE', now);
        return;
      case 'MEASURING_LOP':
        firmware.reportLopAborted(now);
        // Stopped and reported: nothing may report it again.
        firmware.procedure = null;
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

  /** One step of DEFLATING or ALARM_DEFLATING. */
  step(at: number): void {
    const firmware = this.firmware;
    const units = firmware.units;
    units.forEach((unit) => unit.openValves());
    const faulted = units.some((unit) => unit.sensorFaulted);
    const down = faulted
      ? at - this.sinceMs >= DEFLATE_DEADLINE_MS
      : units.every((unit) => unit.fast <= DEVICE_LIMITS.deflatedMmHg);
    if (down) {
      this.arrive(at);
      return;
    }
    if (
      at - this.sinceMs >= DEFLATE_DEADLINE_MS &&
      units.some((unit) => unit.limiter.tripped === null && unit.fast > DEVICE_LIMITS.deflatedMmHg)
    ) {
      // The valves did not bring the pressure down in time (stuck valve, runaway pump): the limiter's relief will.
      units.forEach((unit) => unit.limiter.cut());
      if (firmware.state === 'DEFLATING') {
        this.alarm(
          'INDEPENDENT_CUTOFF',
          null,
          `the cuffs were not down ${DEFLATE_DEADLINE_MS / 1000} s after deflation began`,
          at,
        );
      }
    }
  }

  /** The cuffs are down: on to FAULT after an alarm, else to where the deflation was headed. */
  private arrive(at: number): void {
    const firmware = this.firmware;
    if (firmware.state === 'ALARM_DEFLATING') {
      firmware.enter('FAULT', at);
      return;
    }
    const then = this.afterDeflate;
    if (then === 'REPERFUSION') {
      const run = firmware.run as ProgramRun;
      run.phaseEndsAtMs = at + run.program.blocks[run.blockIndex].reperfusionS * 1000;
    }
    if (then === 'DONE' || then === 'ABORTED') {
      const programId = firmware.run?.program.programId;
      firmware.run = null;
      firmware.loaded = null;
      firmware.enter(then, at);
      if (then === 'DONE' && programId) {
        firmware.emit({ kind: 'SESSION_COMPLETED', programId }, at);
      }
      return;
    }
    firmware.enter(then, at);
  }
}
