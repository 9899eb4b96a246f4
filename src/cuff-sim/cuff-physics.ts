import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { SeededRandom } from '../common/seeded-random';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { PI, exp, log, max, min, round, sin } = Math;
const { NaN: NOT_A_NUMBER } = Number;

/**
 * The pneumatic model of one cuff (device and safety reference §3.3). The numbers are assumptions
 * until a recorded trace of a real cuff replaces them:
 *   dP/dt = pump·Rpump(P) − dump·P/τdump − bleed − kleak·P − fault leak − relief·P/τrelief
 * and what a sensor on the cuff sees adds the muscle's contraction wave and the arterial pulse.
 */
export const PNEUMATICS = Object.freeze({
  /** Pump rate at atmospheric pressure, falling linearly to nothing at the stall pressure. */
  pumpMmHgPerS: 25,
  pumpStallMmHg: 400,
  /** Time constant of the dump valve (250 → 10 mmHg in about 2.6 s). */
  dumpTauS: 0.8,
  /** The fine-regulation bleed valve. */
  bleedMmHgPerS: 5,
  /** A sound cuff loses about 1 mmHg a minute at 200 mmHg. */
  healthyLeakPerS: 1 / 60 / 200,
  /** The independent limiter's relief valve, wider than the dump valve. */
  reliefTauS: 0.3,
  /** Muscle contraction raises the cuff pressure by up to 9 % and lowers it by up to 8 % (regulated cuffs, 80 % LOP). */
  contractionRise: 0.09,
  contractionFall: 0.08,
  /** Sensor noise (σ) and resolution. */
  sensorNoiseMmHg: 0.5,
  sensorResolutionMmHg: 0.1,
  /** Untrimmed sensor offset; zeroing removes it. */
  maxSensorDriftMmHg: 2,
  /** The limiter's own sensor is quieter: it averages in hardware. */
  limiterNoiseMmHg: 0.2,
  /** The limiter trips this far below the hard trip, so that one 10 ms step cannot carry the pressure past it. */
  limiterMarginMmHg: 2,
});

export const SIM_STEP_MS = 10;

export function pumpRate(pressureMmHg: number): number {
  return PNEUMATICS.pumpMmHgPerS * max(0, 1 - pressureMmHg / PNEUMATICS.pumpStallMmHg);
}

/** Seconds the pump alone takes from one pressure to another (the integral of 1/Rpump). */
export function rampTimeS(fromMmHg: number, toMmHg: number): number {
  const stall = PNEUMATICS.pumpStallMmHg;
  return (stall / PNEUMATICS.pumpMmHgPerS) * log((stall - fromMmHg) / (stall - toMmHg));
}

/** Seconds the dump valve alone takes from one pressure down to another. */
export function dumpTimeS(fromMmHg: number, toMmHg: number): number {
  return PNEUMATICS.dumpTauS * log(fromMmHg / toMmHg);
}

export type ValveFault = 'none' | 'stuck-closed' | 'stuck-open';
export type SensorFault = { kind: 'none' } | { kind: 'frozen' } | { kind: 'nan' } | { kind: 'offset'; mmHg: number };

/** The patient's limb under one cuff. */
export interface Limb {
  lopMmHg: number;
  heartRateBpm: number;
  /** Pulse oscillation in the cuff well below LOP. */
  pulseAmplitudeMmHg: number;
}

/** One cuff: its air, its valves and pump, the limb under it, and the faults injected into it. */
export class CuffPneumatics {
  airMmHg = 0;
  pumpOn = false;
  dumpOpen = true;
  bleedOpen = false;
  /** Set by the independent limiter only. */
  pumpPowerCut = false;
  reliefOpen = false;

  faultLeakMmHgPerS = 0;
  dumpValveFault: ValveFault = 'none';
  pumpRunaway = false;

  /** Rep cadence while the patient is exercising under this cuff; null at rest. */
  exercise: { periodS: number; sinceMs: number } | null = null;

  private pulsePhase = 0;
  private beatPeriodS: number;

  constructor(
    readonly limb: Limb,
    private readonly random: SeededRandom,
  ) {
    this.beatPeriodS = 60 / limb.heartRateBpm;
  }

  /** Whether air is actually going in during this step. */
  get pumping(): boolean {
    return !this.pumpPowerCut && (this.pumpOn || this.pumpRunaway);
  }

  step(dtS: number): void {
    const p = this.airMmHg;
    const dumping = this.dumpValveFault === 'stuck-open' || (this.dumpValveFault === 'none' && this.dumpOpen);
    let dp = 0;
    if (this.pumping) {
      dp += pumpRate(p);
    }
    if (dumping) {
      dp -= p / PNEUMATICS.dumpTauS;
    }
    if (this.reliefOpen) {
      dp -= p / PNEUMATICS.reliefTauS;
    }
    if (this.bleedOpen) {
      dp -= min(PNEUMATICS.bleedMmHgPerS, p / dtS);
    }
    dp -= PNEUMATICS.healthyLeakPerS * p;
    dp -= this.faultLeakMmHgPerS * min(1, p / 50);
    this.airMmHg = max(0, p + dp * dtS);

    this.pulsePhase += dtS / this.beatPeriodS;
    if (this.pulsePhase >= 1) {
      this.pulsePhase -= 1;
      // Beat-to-beat variability of a few per cent.
      this.beatPeriodS = (60 / this.limb.heartRateBpm) * (1 + 0.03 * this.random.normal());
    }
  }

  /** What a perfect sensor on the cuff would read at this instant: air, muscle and pulse. */
  pressureAt(atMs: number): number {
    return this.airMmHg + this.contraction(atMs) + this.pulse();
  }

  private contraction(atMs: number): number {
    if (!this.exercise) {
      return 0;
    }
    const wave = sin((2 * PI * (atMs - this.exercise.sinceMs)) / 1000 / this.exercise.periodS);
    return this.airMmHg * wave * (wave > 0 ? PNEUMATICS.contractionRise : PNEUMATICS.contractionFall);
  }

  /** The arterial pulse fades over about 10 mmHg as the cuff closes the artery at LOP, and is weak in a slack cuff. */
  private pulse(): number {
    const p = this.airMmHg;
    const closing = 1 / (1 + exp((p - (this.limb.lopMmHg - 3)) / 1.5));
    const coupling = min(1, p / 30);
    return this.limb.pulseAmplitudeMmHg * closing * coupling * sin(2 * PI * this.pulsePhase);
  }
}

/** The cuff's pressure sensor: noise, resolution, an offset that zeroing removes, and injectable faults. */
export class PressureSensor {
  fault: SensorFault = { kind: 'none' };
  private readonly driftMmHg: number;
  private last = 0;

  constructor(private readonly random: SeededRandom) {
    this.driftMmHg = (random.next() * 2 - 1) * PNEUMATICS.maxSensorDriftMmHg;
  }

  read(trueMmHg: number): number {
    switch (this.fault.kind) {
      case 'nan':
        return NOT_A_NUMBER;
      case 'frozen':
        return this.last;
      default: {
        const offset = this.fault.kind === 'offset' ? this.fault.mmHg : 0;
        const raw = trueMmHg + this.driftMmHg + offset + PNEUMATICS.sensorNoiseMmHg * this.random.normal();
        this.last = round(raw / PNEUMATICS.sensorResolutionMmHg) * PNEUMATICS.sensorResolutionMmHg;
        return this.last;
      }
    }
  }
}

/**
 * The independent limiter of one cuff (the single-fault-safe pattern of NIBP modules): its own
 * sensor, its own relief valve and a cut in the pump's power, acting on the hard trip and on an
 * independent inflation timer whatever the firmware does. It latches until reset.
 */
export class IndependentLimiter {
  tripped: 'overpressure' | 'inflation-time' | 'requested' | null = null;
  private inflatedMs = 0;

  constructor(
    private readonly cuff: CuffPneumatics,
    private readonly random: SeededRandom,
  ) {}

  step(atMs: number, dtMs: number): void {
    const reading = this.cuff.pressureAt(atMs) + PNEUMATICS.limiterNoiseMmHg * this.random.normal();
    this.inflatedMs = reading > DEVICE_LIMITS.deflatedMmHg ? this.inflatedMs + dtMs : 0;
    if (this.tripped === null) {
      if (reading >= DEVICE_LIMITS.tripMmHg - PNEUMATICS.limiterMarginMmHg) {
        this.tripped = 'overpressure';
      } else if (this.inflatedMs > DEVICE_LIMITS.independentInflationCutoffS * 1000) {
        this.tripped = 'inflation-time';
      }
    }
    if (this.tripped !== null) {
      this.cuff.pumpPowerCut = true;
      this.cuff.reliefOpen = true;
    }
  }

  /** The firmware's own way out when its valves do not bring the pressure down. */
  cut(): void {
    this.tripped ??= 'requested';
    this.cuff.pumpPowerCut = true;
    this.cuff.reliefOpen = true;
  }

  /** Re-arms the limiter once the cuff is down; a tripped limiter stays tripped while there is pressure. */
  reset(): boolean {
    if (this.cuff.airMmHg > DEVICE_LIMITS.deflatedMmHg) {
      return false;
    }
    this.tripped = null;
    this.inflatedMs = 0;
    this.cuff.pumpPowerCut = false;
    this.cuff.reliefOpen = false;
    return true;
  }
}
