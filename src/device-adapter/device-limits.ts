/**
 * The cuff's own hard limits (SR-1..SR-15 of the device and safety reference). They are code, not
 * rules data: a cuff enforces them whatever the server sends, and the server checks programs against
 * the same numbers before it sends them. A program may tighten any of them, never loosen one.
 */
export const DEVICE_LIMITS = Object.freeze({
  /** SR-1: highest set point a program may ask for. */
  maxSetPointMmHg: 250,
  /** SR-1: measured pressure at which the cuff dumps at once, without debounce. */
  tripMmHg: 300,
  /** SR-2: highest target as a percentage of the limb occlusion pressure. */
  maxLopPercent: 80,
  /** SR-3: LOP search stops here (below the trip) and reports LOP_NOT_FOUND. */
  lopSearchCeilingMmHg: 280,
  /** SR-3: a LOP search that has not ended by then is given up. */
  lopSearchTimeoutS: 60,
  /** SR-3: age after which a LOP no longer counts; checked by the server, which knows the patient. */
  lopMaxAgeS: 24 * 60 * 60,
  /** SR-4: default longest occlusion of one exercise block. */
  defaultBlockInflationS: 10 * 60,
  /** SR-4: hard longest occlusion of one exercise block. */
  maxBlockInflationS: 20 * 60,
  /** SR-5: least deflated time between exercise blocks. */
  minReperfusionS: 60,
  /** SR-5: the cuff counts as deflated at or below this pressure. */
  deflatedMmHg: 10,
  /** SR-6: most occlusion per limb in one session. */
  maxSessionInflationS: 30 * 60,
  /** SR-6: most exercise blocks per limb in one session. */
  maxBlocksPerLimb: 6,
  /** SR-7: the controller's heartbeat period. */
  heartbeatIntervalMs: 1000,
  /** SR-7: an inflated cuff deflates after this long without a controller heartbeat. */
  watchdogMs: 5000,
  /** SR-7: the server calls a cuff lost after this long without telemetry. */
  telemetryStaleMs: 3000,
  /** SR-8: pressure-deviation window around the set point. */
  windowMmHg: 15,
  /** SR-8: how long the pressure must stay outside the window before the alarm sounds (limb movement). */
  windowAlarmDelayMs: 1000,
  /** SR-8: how long the pressure may stay above the window before the cuff deflates. */
  overWindowDeflateMs: 5000,
  /** SR-9: the leak estimate is taken over this window of holding. */
  leakWindowS: 7,
  /** SR-9: air loss the pump has to make up, above which CUFF_LEAK is raised. */
  leakAlarmMmHgPerS: 1,
  /** SR-9: air loss above which the cuff deflates. */
  leakDeflateMmHgPerS: 5,
  /** SR-10: longest life of a command from issue to expiry. */
  maxCommandLifetimeMs: 5 * 60 * 1000,
  /** SR-11: every command is acknowledged within this. */
  ackDeadlineMs: 2000,
  /** The device recomputes targetMmHg from targetPct and the LOP and accepts this much difference. */
  targetToleranceMmHg: 1,
  /** SR-14: self-test hold: inflate to holdMmHg, close the valves, lose less than maxDropMmHg in holdS. */
  selfTest: Object.freeze({ holdMmHg: 100, holdS: 10, maxDropMmHg: 3 }),
  /** A cuff that has not reached its set point within this long is leaking or blocked. */
  inflateTimeoutS: 30,
  /**
   * The independent limiter's timer: continuous inflation of one cuff (ramps included) beyond the
   * longest block plus one minute for the ramps and the dump is cut off whatever the firmware does.
   */
  independentInflationCutoffS: 20 * 60 + 60,
} as const);

export type DeviceLimits = typeof DEVICE_LIMITS;
