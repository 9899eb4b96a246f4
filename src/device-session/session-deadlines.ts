import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Timers } from '../device-adapter/timers';
import type { SessionAlarmCode, SupervisorAlarmCode } from './alarm-codes';
import { SAMPLE_MS } from './pressure-statistics';
import type { CuffTracking, OpenPhase, SessionSpec } from './session-types';

/**
 * A running program's own clock is checked with some slack for the ramps up and down that its
 * occlusion count leaves out; the cuff's limits are the exact ones, these are the second check.
 */
const BLOCK_GRACE_MS = DEVICE_LIMITS.inflateTimeoutS * 1000;
const SESSION_GRACE_MS = 60_000;
/** Reperfusion is timed from 100 ms samples: a sample either side is not a breach. */
const REPERFUSION_TOLERANCE_MS = 2 * SAMPLE_MS;

/** What the deadline checks need of the session they watch. */
export interface DeadlineWatch {
  spec: SessionSpec;
  timers: Timers;
  breach(code: SupervisorAlarmCode, message: string, channel: string | null): void;
  alarm(alarm: {
    code: SessionAlarmCode;
    source: 'server' | 'device';
    action: 'deflated' | 'recorded';
    channel: string | null;
    message: string;
  }): void;
  /** The set or inflated rest being held, if any. */
  phase(): OpenPhase | null;
}

/** SR-4, SR-5, SR-6 on the server's own timers, from the pressure the cuff reports. */
export function trackInflation(
  watch: DeadlineWatch,
  channel: string,
  cuff: CuffTracking,
  inflated: boolean,
  blockIndex: number | null,
  now: number,
): void {
  if (inflated) {
    cuff.inflatedMs += SAMPLE_MS;
  }
  if (inflated && !cuff.inflated) {
    const block = blockIndex !== null && watch.spec.program.blocks[blockIndex]?.channel === channel ? blockIndex : null;
    const minReperfusionMs = watch.spec.program.limits.minReperfusionS * 1000;
    if (
      block !== null &&
      cuff.lastBlock !== null &&
      block !== cuff.lastBlock &&
      cuff.deflatedSince !== null &&
      now - cuff.deflatedSince < minReperfusionMs - REPERFUSION_TOLERANCE_MS
    ) {
      watch.breach(
        'REPERFUSION_SHORT',
        `Channel ${channel} inflated again after ${Math.round((now - cuff.deflatedSince) / 1000)} s deflated, less than the ${watch.spec.program.limits.minReperfusionS} s reperfusion between blocks (SR-5).`,
        channel,
      );
      return;
    }
    cuff.inflated = true;
    cuff.inflatedSince = now;
    const limitS = block !== null ? watch.spec.blockLimitsS[block] : watch.spec.program.limits.maxBlockInflationS;
    cuff.blockTimer = watch.timers.setTimeout(
      () =>
        watch.breach(
          'BLOCK_TIME_LIMIT',
          `Channel ${channel} stayed inflated beyond the ${Math.round(limitS / 60)} min this block allows (SR-4).`,
          channel,
        ),
      limitS * 1000 + BLOCK_GRACE_MS,
    );
    const budgetMs = watch.spec.program.limits.maxSessionInflationS * 1000 + SESSION_GRACE_MS - cuff.usedMs;
    cuff.sessionTimer = watch.timers.setTimeout(
      () =>
        watch.breach(
          'SESSION_TIME_LIMIT',
          `Channel ${channel} reached the ${watch.spec.program.limits.maxSessionInflationS / 60} min of inflation a limb may have in a session (SR-6).`,
          channel,
        ),
      Math.max(0, budgetMs),
    );
    if (block !== null) {
      cuff.lastBlock = block;
    }
  } else if (!inflated && cuff.inflated) {
    cuff.inflated = false;
    cuff.usedMs += now - cuff.inflatedSince;
    cuff.deflatedSince = now;
    watch.timers.clearTimeout(cuff.blockTimer);
    watch.timers.clearTimeout(cuff.sessionTimer);
  }
}

/** SR-8: outside the window for more than 1 s is recorded; above it for more than 5 s deflates. */
export function checkWindow(
  watch: DeadlineWatch,
  channel: string,
  cuff: CuffTracking,
  deviation: number,
  now: number,
): void {
  const window = watch.spec.program.limits.windowMmHg;
  const phase = watch.phase();
  cuff.outsideSince = Math.abs(deviation) > window ? (cuff.outsideSince ?? now) : null;
  cuff.overSince = deviation > window ? (cuff.overSince ?? now) : null;
  if (cuff.overSince !== null && now - cuff.overSince > DEVICE_LIMITS.overWindowDeflateMs) {
    watch.breach(
      'PRESSURE_HIGH',
      `Channel ${channel} stayed more than ${window} mmHg above its set point for more than ${DEVICE_LIMITS.overWindowDeflateMs / 1000} s (SR-8).`,
      channel,
    );
    return;
  }
  if (
    phase &&
    !phase.windowAlarmed &&
    cuff.outsideSince !== null &&
    now - cuff.outsideSince > DEVICE_LIMITS.windowAlarmDelayMs
  ) {
    phase.windowAlarmed = true;
    watch.alarm({
      code: 'PRESSURE_OUT_OF_WINDOW',
      source: 'server',
      action: 'recorded',
      channel,
      message: `Channel ${channel} was ${deviation > 0 ? 'above' : 'below'} its set point by more than ${window} mmHg for more than ${DEVICE_LIMITS.windowAlarmDelayMs / 1000} s (block ${phase.blockIndex + 1}, set ${phase.setIndex + 1}).`,
    });
  }
}
