import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { CuffState } from '../device-adapter/protocol';
import type { Advisories } from './advisories';
import type { CuffChannel } from './cuff-channel';
import { PNEUMATICS, pumpRate, SIM_STEP_MS } from './cuff-physics';
import type { Deflation } from './deflation';
import type { FirmwareState } from './firmware-state';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { min } = Math;
const { NEGATIVE_INFINITY: MINUS_INFINITY } = Number;

const WATCHED_BY_HEARTBEAT: ReadonlySet<CuffState> = new Set([
  'SELF_TEST',
  'MEASURING_LOP',
  'INFLATING',
  'HOLDING',
  'SET_REST',
  'REPERFUSION',
]);

/**
 * What the firmware watches while the cuffs may be up: the independent limiter and the trip
 * (SR-1), the sensors, the controller's heartbeat (SR-7), the pressure window (SR-8) and leaks
 * (SR-9). A breach deflates through the alarm deflation; lesser trouble raises an advisory.
 */
export class AlarmWatch {
  private lastHeartbeatMs = MINUS_INFINITY;

  constructor(
    private readonly firmware: FirmwareState,
    private readonly advisories: Advisories,
    private readonly deflation: Deflation,
  ) {}

  heartbeat(at: number): void {
    this.lastHeartbeatMs = at;
  }

  heartbeatFresh(at: number): boolean {
    return at - this.lastHeartbeatMs <= DEVICE_LIMITS.watchdogMs;
  }

  /** A power cycle forgets the controller. */
  forgetHeartbeat(): void {
    this.lastHeartbeatMs = MINUS_INFINITY;
  }

  /** The firmware no longer sees the pressure: it opens every valve it has. */
  sensorFailed(unit: CuffChannel, fault: string, at: number): void {
    unit.limiter.cut();
    this.deflation.alarm('SENSOR_FAULT', unit.channel, `pressure sensor of channel ${unit.channel} ${fault}`, at);
  }

  /** Every step, in every state: the limiter, the trip and the watchdog. */
  check(at: number): void {
    const state = this.firmware.state;
    if (state !== 'ALARM_DEFLATING' && state !== 'FAULT') {
      this.checkHardLimits(at);
    }
    if (WATCHED_BY_HEARTBEAT.has(this.firmware.state) && !this.heartbeatFresh(at)) {
      this.deflation.alarm(
        'HEARTBEAT_LOST',
        null,
        `no controller heartbeat for ${DEVICE_LIMITS.watchdogMs / 1000} s`,
        at,
      );
    }
  }

  /** SR-8: outside the window for 1 s sounds an alarm; above it for 5 s deflates. */
  window(unit: CuffChannel, target: number, programWindowMmHg: number, at: number): void {
    const window = min(programWindowMmHg, DEVICE_LIMITS.windowMmHg);
    const averaged = unit.average.mean(unit.averageSteps());
    const high = averaged > target + window;
    const low = averaged < target - window;
    unit.highSinceMs = high ? (unit.highSinceMs ?? at) : null;
    unit.lowSinceMs = low ? (unit.lowSinceMs ?? at) : null;
    if (unit.highSinceMs !== null && at - unit.highSinceMs >= DEVICE_LIMITS.overWindowDeflateMs) {
      this.deflation.alarm(
        'PRESSURE_HIGH',
        unit.channel,
        `channel ${unit.channel} above ${target + window} mmHg for ${DEVICE_LIMITS.overWindowDeflateMs / 1000} s`,
        at,
      );
      return;
    }
    this.advisories.set(
      unit,
      'PRESSURE_HIGH',
      unit.highSinceMs !== null && at - unit.highSinceMs >= DEVICE_LIMITS.windowAlarmDelayMs,
      `channel ${unit.channel} above ${target + window} mmHg`,
      at,
    );
    this.advisories.set(
      unit,
      'PRESSURE_LOW',
      unit.lowSinceMs !== null && at - unit.lowSinceMs >= DEVICE_LIMITS.windowAlarmDelayMs,
      `channel ${unit.channel} below ${target - window} mmHg`,
      at,
    );
  }

  /** SR-9: the pump making up lost air raises CUFF_LEAK; a fast loss deflates. */
  leak(unit: CuffChannel, at: number): void {
    const steps = unit.averageSteps();
    const airIn =
      (unit.cuff.pumpOn ? pumpRate(unit.average.mean(steps)) : 0) -
      (unit.cuff.bleedOpen ? PNEUMATICS.bleedMmHgPerS : 0);
    unit.leak.push(airIn * (SIM_STEP_MS / 1000), unit.last);
    const loss = unit.leak.lossRate(steps, SIM_STEP_MS / 1000);
    if (loss === null) {
      return;
    }
    if (loss > DEVICE_LIMITS.leakDeflateMmHgPerS) {
      this.deflation.alarm(
        'CUFF_LEAK',
        unit.channel,
        `channel ${unit.channel} loses ${loss.toFixed(1)} mmHg/s (limit ${DEVICE_LIMITS.leakDeflateMmHgPerS})`,
        at,
      );
      return;
    }
    const leaking = unit.advisories.has('CUFF_LEAK')
      ? loss > DEVICE_LIMITS.leakAlarmMmHgPerS / 2
      : loss > DEVICE_LIMITS.leakAlarmMmHgPerS;
    this.advisories.set(
      unit,
      'CUFF_LEAK',
      leaking,
      `channel ${unit.channel} loses ${loss.toFixed(1)} mmHg/s; the pump is making it up`,
      at,
    );
  }

  private checkHardLimits(at: number): void {
    const trip = min(this.firmware.run?.program.limits.tripMmHg ?? DEVICE_LIMITS.tripMmHg, DEVICE_LIMITS.tripMmHg);
    for (const unit of this.firmware.units) {
      if (unit.limiter.tripped !== null) {
        this.deflation.alarm(
          'INDEPENDENT_CUTOFF',
          unit.channel,
          `the independent limiter of channel ${unit.channel} cut the pump (${unit.limiter.tripped})`,
          at,
        );
        return;
      }
      if (!unit.sensorFaulted && unit.last >= trip) {
        this.deflation.alarm(
          'OVERPRESSURE_TRIP',
          unit.channel,
          `channel ${unit.channel} read ${unit.last.toFixed(1)} mmHg, at or above the ${trip} mmHg trip`,
          at,
        );
        return;
      }
    }
  }
}
