import type { CuffProgram } from '../device-adapter/cuff-program';
import type { Ack, Command, CuffState } from '../device-adapter/protocol';
import type { TimerHandle } from '../device-adapter/timers';
import type { SessionAlarmCode } from './alarm-codes';
import type { DeviceSessionStatus } from './device-session.entity';
import type { PressureAccumulator } from './pressure-statistics';

export const ACTIVE_STATUSES: readonly DeviceSessionStatus[] = ['loaded', 'running', 'paused'];

/** Sends a command and resolves with the ack, or rejects when none comes within the ack deadline. */
export type SendCommand = (deviceId: string, command: Command) => Promise<Ack>;

export interface SessionSpec {
  sessionId: string;
  deviceId: string;
  program: CuffProgram;
  /** Each block's own longest continuous inflation from the plan, seconds, in block order. */
  blockLimitsS: number[];
  createdAtMs: number;
}

export interface ChannelSummary {
  channel: string;
  /** Time above the deflated threshold (10 mmHg). */
  inflatedS: number;
  /** Time the cuff was meant to hold the set point: during sets, and rests kept inflated. */
  atTargetS: number;
  /** Of that, time within ± window of the set point. */
  inBandS: number;
}

export interface SessionSummary {
  bandMmHg: number;
  /** Time at the set point the program prescribes: every set, and every rest kept inflated. */
  prescribedAtTargetS: number;
  atTargetS: number;
  inBandS: number;
  /** Time in band over the prescribed time at the set point, 0..1; what the patient actually got. */
  adherence: number;
  channels: ChannelSummary[];
}

export type LiveUpdate =
  | {
      type: 'telemetry';
      at: string;
      elapsedMs: number;
      state: CuffState;
      blockIndex: number | null;
      setIndex: number | null;
      channels: Array<{
        channel: string;
        meanMmHg: number | null;
        minMmHg: number | null;
        maxMmHg: number | null;
        targetMmHg: number | null;
        inBand: boolean | null;
      }>;
    }
  | { type: 'status'; at: string; status: DeviceSessionStatus; reason: string | null }
  | {
      type: 'alarm';
      at: string;
      code: SessionAlarmCode;
      source: 'server' | 'device';
      action: 'deflated' | 'recorded';
      channel: string | null;
      message: string;
    }
  | { type: 'event'; at: string; summary: string };

/** What the supervisor follows of one channel's cuff. */
/** An alarm as the session records it and streams it. */
export interface SessionAlarm {
  code: SessionAlarmCode;
  source: 'server' | 'device';
  action: 'deflated' | 'recorded';
  channel: string | null;
  message: string;
}

export interface CuffTracking {
  inflated: boolean;
  inflatedSince: number;
  deflatedSince: number | null;
  lastBlock: number | null;
  usedMs: number;
  blockTimer?: TimerHandle;
  sessionTimer?: TimerHandle;
  outsideSince: number | null;
  overSince: number | null;
  inflatedMs: number;
  atTargetMs: number;
  inBandMs: number;
}

/** A cuff not yet inflated in this session. */
export function deflatedCuff(): CuffTracking {
  return {
    inflated: false,
    inflatedSince: 0,
    deflatedSince: null,
    lastBlock: null,
    usedMs: 0,
    outsideSince: null,
    overSince: null,
    inflatedMs: 0,
    atTargetMs: 0,
    inBandMs: 0,
  };
}

/** A set or an inflated rest being held, and its statistics so far. */
export interface OpenPhase {
  key: string;
  blockIndex: number;
  setIndex: number;
  phase: 'work' | 'rest';
  channel: string;
  startedMs: number;
  endedMs: number;
  pressure: PressureAccumulator;
  windowAlarmed: boolean;
}
