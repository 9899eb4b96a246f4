import type { Channel, Posture } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { LopResult } from '../device-adapter/protocol';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { PI, max, min, round, sqrt } = Math;
const { isFinite: finite } = Number;

/**
 * Firmware of the embedded LOP measurement (§3.3; the method of the embedded-LOP devices and of two
 * open-source controllers): fill to 60 mmHg, ramp at 5 mmHg/s, band-pass the cuff pressure
 * 0.5-5 Hz, and call LOP the pressure at which the pulse oscillation falls below a quarter of the
 * largest seen and stays down for 3 s (three beats at 60 bpm). The search stops at 280 mmHg (SR-3)
 * or after 60 s.
 */
const FILL_TO_MMHG = 60;
const RAMP_MMHG_PER_S = 5;
const WINDOW_S = 1.5;
/** Below this share of the largest oscillation the pulse counts as gone. */
const ABSENT_SHARE = 0.25;
/** Smallest oscillation (RMS, mmHg) that counts as a pulse at all. */
const MIN_PULSE_RMS = 0.5;
const CONFIRM_S = 3;

export type LopSearchStep = { pump: boolean } | { result: Omit<LopResult, 'measuredAt'> };

export class LopSearch {
  private phase: 'fill' | 'ramp' = 'fill';
  private rampStartMs = 0;
  private fast = 0;
  private slow = 0;
  private readonly band: number[];
  private bandAt = 0;
  private bandSum = 0;
  private squaresSum = 0;
  private maxRms = 0;
  private absentSinceMs: number | null = null;
  private candidateMmHg: number | null = null;
  private beats = 0;
  private beatsAtCandidate = 0;
  private armedForBeat = false;

  constructor(
    readonly channel: Channel,
    readonly posture: Posture,
    private readonly startedMs: number,
    private readonly stepMs: number,
  ) {
    this.band = new Array<number>(round((WINDOW_S * 1000) / stepMs)).fill(0);
  }

  /** One sample of the zeroed cuff pressure; says whether to pump, or gives the result. */
  step(atMs: number, mmHg: number): LopSearchStep {
    if (!finite(mmHg)) {
      return { result: this.notFound('TIMEOUT') };
    }
    this.filter(mmHg);
    if (atMs - this.startedMs > DEVICE_LIMITS.lopSearchTimeoutS * 1000) {
      return { result: this.notFound('TIMEOUT') };
    }
    if (this.phase === 'fill') {
      if (mmHg < FILL_TO_MMHG) {
        return { pump: true };
      }
      this.phase = 'ramp';
      this.rampStartMs = atMs;
    }
    const rampedS = (atMs - this.rampStartMs) / 1000;
    const reference = min(DEVICE_LIMITS.lopSearchCeilingMmHg, FILL_TO_MMHG + RAMP_MMHG_PER_S * rampedS);
    // The first second of the ramp lets the filters settle after the fill.
    if (rampedS >= 1) {
      const found = this.watchPulse(atMs, mmHg);
      if (found) {
        return { result: found };
      }
    }
    if (
      reference >= DEVICE_LIMITS.lopSearchCeilingMmHg &&
      this.absentSinceMs === null &&
      rampedS > (DEVICE_LIMITS.lopSearchCeilingMmHg - FILL_TO_MMHG) / RAMP_MMHG_PER_S + CONFIRM_S
    ) {
      return { result: this.notFound(this.maxRms < MIN_PULSE_RMS ? 'NO_PULSE' : 'LOP_NOT_FOUND') };
    }
    return { pump: mmHg < reference };
  }

  /** The result when the search is stopped from outside. */
  aborted(): Omit<LopResult, 'measuredAt'> {
    return this.notFound('ABORTED');
  }

  private filter(mmHg: number): void {
    const dt = this.stepMs / 1000;
    this.fast += (mmHg - this.fast) * (dt / (1 / (2 * PI * 5) + dt));
    this.slow += (mmHg - this.slow) * (dt / (1 / (2 * PI * 0.5) + dt));
    const band = this.fast - this.slow;
    const leaving = this.band[this.bandAt];
    this.bandSum += band - leaving;
    this.squaresSum += band * band - leaving * leaving;
    this.band[this.bandAt] = band;
    this.bandAt = (this.bandAt + 1) % this.band.length;
    const centred = band - this.bandSum / this.band.length;
    if (centred > 0.3 && this.armedForBeat) {
      this.beats += 1;
      this.armedForBeat = false;
    } else if (centred < -0.3) {
      this.armedForBeat = true;
    }
  }

  private watchPulse(atMs: number, mmHg: number): Omit<LopResult, 'measuredAt'> | null {
    // Spread about the window's mean: the ramp itself leaves a steady offset in the band-passed signal.
    const n = this.band.length;
    const mean = this.bandSum / n;
    const rms = sqrt(max(0, this.squaresSum / n - mean * mean));
    this.maxRms = max(this.maxRms, rms);
    const absent = this.maxRms >= MIN_PULSE_RMS && rms < ABSENT_SHARE * this.maxRms;
    if (!absent) {
      this.absentSinceMs = null;
      this.candidateMmHg = null;
      return null;
    }
    if (this.absentSinceMs === null) {
      this.absentSinceMs = atMs;
      this.candidateMmHg = mmHg;
      this.beatsAtCandidate = this.beats;
    }
    if (atMs - this.absentSinceMs < CONFIRM_S * 1000) {
      return null;
    }
    const lop = round(this.candidateMmHg as number);
    if (lop > DEVICE_LIMITS.lopSearchCeilingMmHg) {
      return this.notFound('LOP_NOT_FOUND');
    }
    return {
      channel: this.channel,
      found: true,
      lopMmHg: lop,
      confidence: round(max(0, min(1, 1 - rms / this.maxRms)) * 100) / 100,
      beatsUsed: this.beatsAtCandidate,
      posture: this.posture,
      searchCeilingMmHg: DEVICE_LIMITS.lopSearchCeilingMmHg,
    };
  }

  private notFound(reason: NonNullable<LopResult['reason']>): Omit<LopResult, 'measuredAt'> {
    return {
      channel: this.channel,
      found: false,
      lopMmHg: null,
      reason,
      confidence: 0,
      beatsUsed: this.beats,
      posture: this.posture,
      searchCeilingMmHg: DEVICE_LIMITS.lopSearchCeilingMmHg,
    };
  }
}
