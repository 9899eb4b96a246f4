// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { PI, cos, imul, log, max, sin, sqrt } = Math;
const { EPSILON } = Number;

/** A small seeded generator (mulberry32) so that a simulated run with the same seed is the same run. */
export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u = max(this.next(), EPSILON);
    const v = this.next();
    const radius = sqrt(-2 * log(u));
    this.spare = radius * sin(2 * PI * v);
    return radius * cos(2 * PI * v);
  }
}
