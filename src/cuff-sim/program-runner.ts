import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { AlarmWatch } from './alarm-watch';
import type { Advisories } from './advisories';
import { SIM_STEP_MS } from './cuff-physics';
import type { Deflation } from './deflation';
import type { FirmwareState, LoadedProgram, ProgramRun } from './firmware-state';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { max, min, round } = Math;

const HOLDING_FROM_BELOW_MMHG = 5;

/**
 * Runs a loaded program block by block: inflation to the set point, the sets (held at pressure,
 * the cadence of the reps), the rests between them (inflated or not), the deflation and
 * reperfusion between blocks, and the occlusion time of each block and of the session (SR-4, SR-6).
 */
export class ProgramRunner {
  constructor(
    private readonly firmware: FirmwareState,
    private readonly deflation: Deflation,
    private readonly watch: AlarmWatch,
    private readonly advisories: Advisories,
  ) {}

  start(loaded: LoadedProgram, now: number): void {
    const first = loaded.program.blocks[0];
    this.firmware.run = {
      ...loaded,
      blockIndex: 0,
      setIndex: 0,
      setRemainingMs: first.sets[0].workS * 1000,
      setStarted: false,
      phaseEndsAtMs: null,
      inflatingSinceMs: now,
    };
    for (const unit of this.firmware.units) {
      unit.blockOcclusionMs = 0;
      unit.sessionOcclusionMs = 0;
    }
    this.beginInflating(now);
  }

  /** Whether the paused block's cuff has used up its block or session occlusion time. */
  occlusionUsedUp(): boolean {
    const run = this.firmware.run as ProgramRun;
    const unit = this.firmware.unit(run.program.blocks[run.blockIndex].channel);
    return unit.blockOcclusionMs >= this.blockLimitMs(run) || unit.sessionOcclusionMs >= this.sessionLimitMs(run);
  }

  resume(now: number): void {
    this.beginInflating(now);
  }

  nextSet(now: number): void {
    if (this.firmware.state === 'HOLDING') {
      this.completeSet(now);
    } else {
      this.endRest(now);
    }
  }

  /** One step of INFLATING, HOLDING, SET_REST or REPERFUSION. */
  step(at: number): void {
    switch (this.firmware.state) {
      case 'INFLATING':
        this.inflatingStep(at);
        return;
      case 'HOLDING':
      case 'SET_REST':
        this.holdingStep(at);
        return;
      case 'REPERFUSION': {
        const run = this.firmware.run as ProgramRun;
        if (run.phaseEndsAtMs !== null && at >= run.phaseEndsAtMs) {
          run.blockIndex += 1;
          run.setIndex = 0;
          run.setRemainingMs = run.program.blocks[run.blockIndex].sets[0].workS * 1000;
          run.setStarted = false;
          this.firmware.units.forEach((unit) => (unit.blockOcclusionMs = 0));
          this.beginInflating(at);
        }
        return;
      }
    }
  }

  /** Occlusion time (SR-4, SR-6): counted while the block's cuff is held at pressure. */
  account(at: number): void {
    for (const unit of this.firmware.units) {
      const run = this.firmware.run;
      const state = this.firmware.state;
      if (!run || unit.target === null || (state !== 'HOLDING' && state !== 'SET_REST')) {
        continue;
      }
      unit.blockOcclusionMs += SIM_STEP_MS;
      unit.sessionOcclusionMs += SIM_STEP_MS;
      if (unit.blockOcclusionMs > this.blockLimitMs(run)) {
        this.deflation.alarm(
          'BLOCK_TIME_LIMIT',
          unit.channel,
          `channel ${unit.channel} occluded for more than ${this.blockLimitMs(run) / 1000} s in one block`,
          at,
        );
      } else if (unit.sessionOcclusionMs > this.sessionLimitMs(run)) {
        this.deflation.alarm(
          'SESSION_TIME_LIMIT',
          unit.channel,
          `channel ${unit.channel} occluded for more than ${this.sessionLimitMs(run) / 1000} s in the session`,
          at,
        );
      }
    }
  }

  private beginInflating(at: number): void {
    const run = this.firmware.run as ProgramRun;
    run.inflatingSinceMs = at;
    run.phaseEndsAtMs = null;
    const block = run.program.blocks[run.blockIndex];
    for (const unit of this.firmware.units) {
      unit.target = unit.channel === block.channel ? block.targetMmHg : null;
      unit.cuff.exercise = null;
      if (unit.target === null) {
        unit.openValves();
      }
    }
    this.firmware.enter('INFLATING', at);
  }

  private inflatingStep(at: number): void {
    const run = this.firmware.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.firmware.unit(block.channel);
    unit.cuff.dumpOpen = false;
    unit.cuff.bleedOpen = false;
    unit.cuff.pumpOn = true;
    if (unit.fast >= block.targetMmHg - HOLDING_FROM_BELOW_MMHG) {
      unit.regulator.restart();
      this.beginHolding(at);
    } else if (at - run.inflatingSinceMs > DEVICE_LIMITS.inflateTimeoutS * 1000) {
      this.deflation.alarm(
        'INFLATION_TIMEOUT',
        block.channel,
        `channel ${block.channel} did not reach ${block.targetMmHg} mmHg in ${DEVICE_LIMITS.inflateTimeoutS} s`,
        at,
      );
    }
  }

  private beginHolding(at: number): void {
    const run = this.firmware.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.firmware.unit(block.channel);
    const set = block.sets[run.setIndex];
    if (block.mode !== 'passive' && set.reps > 0) {
      unit.cuff.exercise = { periodS: min(6, max(2, set.workS / set.reps)), sinceMs: at };
    }
    unit.leak.forget();
    this.firmware.enter('HOLDING', at);
    if (!run.setStarted) {
      run.setStarted = true;
      this.firmware.emit(
        {
          kind: 'SET_STARTED',
          blockId: block.blockId,
          blockIndex: run.blockIndex,
          setIndex: run.setIndex,
          targetMmHg: block.targetMmHg,
        },
        at,
      );
    }
  }

  private holdingStep(at: number): void {
    const firmware = this.firmware;
    const run = firmware.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = firmware.unit(block.channel);
    const inflated = firmware.state === 'HOLDING' || block.inflatedDuringRest;
    if (inflated) {
      unit.regulate(block.targetMmHg, at);
      this.watch.window(unit, block.targetMmHg, run.program.limits.windowMmHg, at);
      if (firmware.state !== 'HOLDING' && firmware.state !== 'SET_REST') {
        return;
      }
      this.watch.leak(unit, at);
      if (firmware.state !== 'HOLDING' && firmware.state !== 'SET_REST') {
        return;
      }
    } else {
      unit.openValves();
    }
    if (firmware.state === 'HOLDING') {
      run.setRemainingMs -= SIM_STEP_MS;
      if (run.setRemainingMs <= 0) {
        this.completeSet(at);
      }
    } else if (run.phaseEndsAtMs !== null && at >= run.phaseEndsAtMs) {
      this.endRest(at);
    }
  }

  private completeSet(at: number): void {
    const run = this.firmware.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    const unit = this.firmware.unit(block.channel);
    const set = block.sets[run.setIndex];
    unit.cuff.exercise = null;
    this.firmware.emit(
      {
        kind: 'SET_COMPLETED',
        blockId: block.blockId,
        blockIndex: run.blockIndex,
        setIndex: run.setIndex,
        workS: round(set.workS * 1000 - max(0, run.setRemainingMs)) / 1000,
      },
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
        this.advisories.clearAll(unit, at);
        unit.target = null;
        unit.openValves();
      }
      this.firmware.enter('SET_REST', at);
      if (block.setRestS === 0) {
        this.endRest(at);
      }
      return;
    }
    this.firmware.emit(
      {
        kind: 'BLOCK_COMPLETED',
        blockId: block.blockId,
        blockIndex: run.blockIndex,
        occlusionS: unit.blockOcclusionMs / 1000,
      },
      at,
    );
    this.deflation.deflate(run.blockIndex + 1 < run.program.blocks.length ? 'REPERFUSION' : 'DONE', at);
  }

  private endRest(at: number): void {
    const run = this.firmware.run as ProgramRun;
    const block = run.program.blocks[run.blockIndex];
    if (block.inflatedDuringRest) {
      this.beginHolding(at);
    } else {
      this.beginInflating(at);
    }
  }

  private blockLimitMs(run: ProgramRun): number {
    return min(run.program.limits.maxBlockInflationS, DEVICE_LIMITS.maxBlockInflationS) * 1000;
  }

  private sessionLimitMs(run: ProgramRun): number {
    return min(run.program.limits.maxSessionInflationS, DEVICE_LIMITS.maxSessionInflationS) * 1000;
  }
}
