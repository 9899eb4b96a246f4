import type { Channel } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { AlarmCode, ChannelTelemetry } from '../device-adapter/protocol';
import { CuffPneumatics, IndependentLimiter, type Limb, PressureSensor, SIM_STEP_MS } from './cuff-physics';
import { LeakWindow } from './leak-window';
import { RunningSums } from './moving-average';
import { Regulator } from './regulator';
import type { SeededRandom } from '../common/seeded-random';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { abs, max, min, round } = Math;
const {
  NEGATIVE_INFINITY: MINUS_INFINITY,
  NaN: NOT_A_NUMBER,
  POSITIVE_INFINITY: INFINITY,
  isFinite: finite,
  isNaN: notANumber,
} = Number;

/** A real pressure cannot move this much in one 10 ms sample, even dumping through both valves. */
const SENSOR_JUMP_MMHG = 25;
const FROZEN_SAMPLES = 50;
/** Rep cadence is held between 2 and 6 s; at rest the pressure is averaged over 1 s. */
const MAX_AVERAGE_STEPS = 6000 / SIM_STEP_MS;
const REST_AVERAGE_STEPS = 1000 / SIM_STEP_MS;
const FAST_TAU_S = 0.05;

const emptySample = () => ({ sum: 0, n: 0, min: INFINITY, max: MINUS_INFINITY, pumpSteps: 0, steps: 0 });

/**
 * One channel of the cuff unit: the cuff and the limb under it, its sensor and independent
 * limiter, and what the firmware keeps about it (zero, filtered pressure, regulator, leak window,
 * occlusion counters, active advisories, the telemetry of the current 100 ms).
 */
export class CuffChannel {
  readonly cuff: CuffPneumatics;
  readonly sensor: PressureSensor;
  readonly limiter: IndependentLimiter;
  readonly average = new RunningSums(MAX_AVERAGE_STEPS);
  readonly regulator = new Regulator();
  readonly leak = new LeakWindow((DEVICE_LIMITS.leakWindowS * 1000) / SIM_STEP_MS, MAX_AVERAGE_STEPS);
  readonly advisories = new Set<AlarmCode>();
  zeroMmHg = 0;
  /** Set point being regulated to; null when the firmware is not holding this cuff. */
  target: number | null = null;
  /** ~50 ms low-pass of the zeroed pressure: what "the pressure now" means to the firmware. */
  fast = 0;
  /** Latest zeroed sample. */
  last = NOT_A_NUMBER;
  sensorFaulted = false;
  highSinceMs: number | null = null;
  lowSinceMs: number | null = null;
  blockOcclusionMs = 0;
  sessionOcclusionMs = 0;
  private sameCount = 0;
  private sample = emptySample();
  private readonly record = { peakMmHg: 0, inflatedSinceMs: null as number | null, longestInflatedMs: 0 };

  constructor(
    readonly channel: Channel,
    limb: Limb,
    random: SeededRandom,
  ) {
    this.cuff = new CuffPneumatics(limb, random);
    this.sensor = new PressureSensor(random);
    this.limiter = new IndependentLimiter(this.cuff, random);
  }

  /** Advances the physics and the limiter one step; returns the raw sensor reading. */
  step(at: number, dtS: number): number {
    this.cuff.step(dtS);
    this.limiter.step(at, SIM_STEP_MS);
    const truth = this.cuff.pressureAt(at);
    this.keepRecord(truth, at);
    this.sample.steps += 1;
    this.sample.pumpSteps += this.cuff.pumping ? 1 : 0;
    return this.sensor.read(truth);
  }

  /** Takes a raw reading in; says what is wrong with the sensor the first time it goes wrong. */
  read(reading: number): string | null {
    const value = reading - this.zeroMmHg;
    const plausible = finite(value) && (notANumber(this.last) || abs(value - this.last) <= SENSOR_JUMP_MMHG);
    this.sameCount = value === this.last ? this.sameCount + 1 : 0;
    this.last = value;
    if (!plausible || this.sameCount >= FROZEN_SAMPLES) {
      if (this.sensorFaulted) {
        return null;
      }
      this.sensorFaulted = true;
      return !finite(value) ? 'gives no reading' : !plausible ? 'jumped' : 'is frozen';
    }
    const dt = SIM_STEP_MS / 1000;
    this.fast += (value - this.fast) * (dt / (FAST_TAU_S + dt));
    this.average.push(value);
    const sample = this.sample;
    sample.sum += value;
    sample.n += 1;
    sample.min = min(sample.min, value);
    sample.max = max(sample.max, value);
    return null;
  }

  /** Takes the mean of raw readings of the empty cuff as its zero. */
  zeroAt(zeroMmHg: number): void {
    this.zeroMmHg = zeroMmHg;
    this.fast = 0;
    this.last = NOT_A_NUMBER;
  }

  /** Forgets a sensor fault, so that a new self-test looks at the sensor afresh. */
  clearSensorFault(): void {
    this.sensorFaulted = false;
    this.sameCount = 0;
    this.last = NOT_A_NUMBER;
  }

  /** One rep while the patient exercises (the firmware sets the cadence), one second at rest. */
  averageSteps(): number {
    return this.cuff.exercise ? round((this.cuff.exercise.periodS * 1000) / SIM_STEP_MS) : REST_AVERAGE_STEPS;
  }

  /** The pressure averaged over one rep: what the regulator and the window alarms act on. */
  averaged(): number {
    return this.average.mean(this.averageSteps());
  }

  regulate(target: number, at: number): void {
    this.target = target;
    this.cuff.dumpOpen = false;
    const steps = this.averageSteps();
    const { pump, bleed } = this.regulator.step(at, this.fast, this.average.mean(steps), target, steps * SIM_STEP_MS);
    this.cuff.pumpOn = pump;
    this.cuff.bleedOpen = bleed;
  }

  openValves(): void {
    this.cuff.pumpOn = false;
    this.cuff.dumpOpen = true;
    this.cuff.bleedOpen = this.fast > DEVICE_LIMITS.deflatedMmHg;
  }

  /** What a power cycle leaves: valves open, pump off, nothing remembered but the hardware record. */
  powerCycle(): void {
    const cuff = this.cuff;
    cuff.pumpOn = false;
    cuff.bleedOpen = false;
    cuff.dumpOpen = true;
    cuff.exercise = null;
    cuff.pumpPowerCut = false;
    cuff.reliefOpen = false;
    this.limiter.tripped = null;
    this.target = null;
    this.zeroMmHg = 0;
    this.advisories.clear();
    this.highSinceMs = null;
    this.lowSinceMs = null;
    this.clearSensorFault();
    this.blockOcclusionMs = 0;
    this.sessionOcclusionMs = 0;
  }

  /** The highest true pressure and the longest spell above 10 mmHg since power-on. */
  history(now: number): { peakMmHg: number; longestInflatedS: number } {
    const record = this.record;
    const current = record.inflatedSinceMs === null ? 0 : now - record.inflatedSinceMs;
    return { peakMmHg: record.peakMmHg, longestInflatedS: max(record.longestInflatedMs, current) / 1000 };
  }

  /** The telemetry of the samples since the last call. */
  takeTelemetry(): ChannelTelemetry {
    const sample = this.sample;
    const reading = sample.n > 0;
    const tenth = (value: number) => round(value * 10) / 10;
    this.sample = emptySample();
    return {
      channel: this.channel,
      meanMmHg: reading ? tenth(sample.sum / sample.n) : null,
      minMmHg: reading ? tenth(sample.min) : null,
      maxMmHg: reading ? tenth(sample.max) : null,
      pumpDuty: sample.steps > 0 ? round((sample.pumpSteps / sample.steps) * 100) / 100 : 0,
      targetMmHg: this.target,
      blockOcclusionS: this.blockOcclusionMs / 1000,
      sessionOcclusionS: this.sessionOcclusionMs / 1000,
    };
  }

  private keepRecord(truth: number, at: number): void {
    const record = this.record;
    record.peakMmHg = max(record.peakMmHg, truth);
    if (truth > DEVICE_LIMITS.deflatedMmHg) {
      record.inflatedSinceMs ??= at;
    } else if (record.inflatedSinceMs !== null) {
      record.longestInflatedMs = max(record.longestInflatedMs, at - record.inflatedSinceMs);
      record.inflatedSinceMs = null;
    }
  }
}
