/** Telemetry reports the last 100 ms of pressure per channel: each sample stands for this long. */
export const SAMPLE_MS = 100;

/** Pressure held over one phase (a set, or the inflated rest after it), reduced sample by sample. */
export interface PressureStatistics {
  samples: number;
  observedMs: number;
  inBandMs: number;
  minMmHg: number;
  meanMmHg: number;
  maxMmHg: number;
}

/**
 * Reduces samples to min / mean / max and time in band. A sample is in band when its 100 ms mean is
 * within ± window of the set point: the cuff's own alarm window (SR-8), the tolerance automatic
 * LOP devices and the clinical reference accept.
 */
export class PressureAccumulator {
  private samples = 0;
  private readings = 0;
  private inBand = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  constructor(
    readonly targetMmHg: number,
    readonly windowMmHg: number,
  ) {}

  add(sample: { meanMmHg: number; minMmHg: number; maxMmHg: number }): boolean {
    const within = Math.abs(sample.meanMmHg - this.targetMmHg) <= this.windowMmHg;
    this.samples += 1;
    this.readings += 1;
    this.inBand += within ? 1 : 0;
    this.sum += sample.meanMmHg;
    this.min = Math.min(this.min, sample.minMmHg);
    this.max = Math.max(this.max, sample.maxMmHg);
    return within;
  }

  /** A period without a usable reading: observed, and not in band, since the pressure is unknown. */
  addMissing(): void {
    this.samples += 1;
  }

  get empty(): boolean {
    return this.readings === 0;
  }

  result(): PressureStatistics {
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      samples: this.samples,
      observedMs: this.samples * SAMPLE_MS,
      inBandMs: this.inBand * SAMPLE_MS,
      minMmHg: round(this.min),
      meanMmHg: round(this.sum / this.readings),
      maxMmHg: round(this.max),
    };
  }
}

/** One second of one channel's pressure in the stored trace: [seconds since start, min, mean, max]. */
export type TracePoint = [number, number, number, number];

/**
 * The pressure trace kept with a session: one point per channel per second. A session is capped at
 * 30 min of occlusion per limb plus rests (SR-6), so the trace stays a few thousand points.
 */
export class PressureTrace {
  private readonly points = new Map<string, TracePoint[]>();
  private readonly open = new Map<string, { second: number; min: number; max: number; sum: number; n: number }>();

  add(channel: string, elapsedMs: number, sample: { meanMmHg: number; minMmHg: number; maxMmHg: number }): void {
    const second = Math.floor(elapsedMs / 1000);
    const bucket = this.open.get(channel);
    if (bucket && bucket.second !== second) {
      this.close(channel);
    }
    const current = this.open.get(channel) ?? {
      second,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      sum: 0,
      n: 0,
    };
    current.min = Math.min(current.min, sample.minMmHg);
    current.max = Math.max(current.max, sample.maxMmHg);
    current.sum += sample.meanMmHg;
    current.n += 1;
    this.open.set(channel, current);
  }

  /** Every closed point, and the open second too when `final`. */
  toJSON(final = false): Record<string, TracePoint[]> {
    if (final) {
      [...this.open.keys()].forEach((channel) => this.close(channel));
    }
    return Object.fromEntries(this.points);
  }

  private close(channel: string): void {
    const bucket = this.open.get(channel);
    if (!bucket) {
      return;
    }
    const round = (value: number) => Math.round(value * 10) / 10;
    const list = this.points.get(channel) ?? [];
    list.push([bucket.second, round(bucket.min), round(bucket.sum / bucket.n), round(bucket.max)]);
    this.points.set(channel, list);
    this.open.delete(channel);
  }
}
