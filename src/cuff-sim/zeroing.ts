import type { Channel } from '../device-adapter/cuff-program';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { abs } = Math;
const { isFinite: finite } = Number;

/** A cuff just dumped from 10 mmHg still holds about 2 mmHg after 1.5 s: wait until it is truly empty. */
const SETTLE_MS = 2500;
const AVERAGE_MS = 500;
const ZEROING_TIMEOUT_MS = 10_000;
/** The raw reading of an empty cuff stays within the sensor's drift and noise. */
const EMPTY_BAND_MMHG = 5;

/** Averages the raw sensors once the cuffs have been empty for a while; the means become their zeros (SR-14). */
export class Zeroing {
  private readonly sums = new Map<Channel, { total: number; n: number }>();
  private steadySinceMs: number | null = null;

  constructor(private readonly startedMs: number) {}

  step(atMs: number, raw: ReadonlyMap<Channel, number>): 'zeroing' | 'done' | 'failed' {
    const empty = [...raw.values()].every((value) => finite(value) && abs(value) <= EMPTY_BAND_MMHG);
    if (!empty) {
      this.steadySinceMs = null;
      this.sums.clear();
      return atMs - this.startedMs > ZEROING_TIMEOUT_MS ? 'failed' : 'zeroing';
    }
    this.steadySinceMs ??= atMs;
    if (atMs - this.steadySinceMs < SETTLE_MS) {
      return 'zeroing';
    }
    for (const [channel, value] of raw) {
      const sum = this.sums.get(channel) ?? { total: 0, n: 0 };
      this.sums.set(channel, { total: sum.total + value, n: sum.n + 1 });
    }
    return atMs - this.steadySinceMs >= SETTLE_MS + AVERAGE_MS ? 'done' : 'zeroing';
  }

  zeroOf(channel: Channel): number {
    const sum = this.sums.get(channel);
    return sum ? sum.total / sum.n : 0;
  }
}
