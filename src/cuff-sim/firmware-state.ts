import { randomUUID } from 'node:crypto';

import type { Subject } from 'rxjs';

import type { Channel, CuffProgram } from '../device-adapter/cuff-program';
import { type CuffState, type DeviceEvent, type EventDetail, PROTOCOL_VERSION } from '../device-adapter/protocol';
import type { CuffChannel } from './cuff-channel';
import type { LopSearch } from './lop-search';
import type { SelfTest } from './self-test';
import type { Zeroing } from './zeroing';

export interface LoadedProgram {
  program: CuffProgram;
  sha256: string;
}

/** Where the cuff is in a started program. */
export interface ProgramRun extends LoadedProgram {
  blockIndex: number;
  setIndex: number;
  setRemainingMs: number;
  setStarted: boolean;
  /** End of the current rest or reperfusion; null while inflating or holding. */
  phaseEndsAtMs: number | null;
  inflatingSinceMs: number;
}

export type Procedure =
  { kind: 'self-test'; test: SelfTest } | { kind: 'lop'; phase: 'zero' | 'search'; zero: Zeroing; search: LopSearch };

/**
 * What the cuff's firmware holds in memory (its state, the program it holds and the run of it,
 * the procedure under way, its channels) and how it reports: every state change and event goes
 * out through here, stamped with the cuff's own clock.
 */
export class FirmwareState {
  state: CuffState = 'IDLE';
  loaded: LoadedProgram | null = null;
  run: ProgramRun | null = null;
  procedure: Procedure | null = null;
  /** How far the cuff's clock runs ahead of the true time (negative: behind). */
  skewMs = 0;

  constructor(
    readonly deviceId: string,
    readonly units: readonly CuffChannel[],
    private readonly events: Subject<DeviceEvent>,
  ) {}

  /** The program being run, else the one held. */
  programId(): string | null {
    return this.run?.program.programId ?? this.loaded?.program.programId ?? null;
  }

  enter(next: CuffState, at: number): void {
    const from = this.state;
    if (from === next) {
      return;
    }
    this.state = next;
    this.emit({ kind: 'STATE_CHANGED', from, to: next }, at);
  }

  emit(event: EventDetail, at: number): void {
    this.events.next({
      v: PROTOCOL_VERSION,
      type: 'EVENT',
      msgId: randomUUID(),
      deviceId: this.deviceId,
      at: this.deviceTime(at),
      state: this.state,
      programId: this.programId(),
      event,
    });
  }

  /** Reports a LOP search that is being cut short as ending without a result. */
  reportLopAborted(at: number): void {
    if (this.procedure?.kind === 'lop') {
      this.emit(
        { kind: 'LOP_MEASURED', lop: { ...this.procedure.search.aborted(), measuredAt: this.deviceTime(at) } },
        at,
      );
    }
  }

  deviceTime(at: number): string {
    return new Date(at + this.skewMs).toISOString();
  }

  unit(channel: Channel): CuffChannel {
    const unit = this.units.find((u) => u.channel === channel);
    if (!unit) {
      throw new Error(`cuff ${this.deviceId} has no channel ${channel}`);
    }
    return unit;
  }
}
