// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { max, min } = Math;

/** Running sums of a sampled signal, so the mean over any recent span costs the same as one sample. */
export class RunningSums {
  private readonly sums: Float64Array;
  private at = 0;
  private count = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    this.sums = new Float64Array(capacity + 1);
  }

  push(value: number): void {
    this.total += value;
    this.at = (this.at + 1) % this.sums.length;
    this.sums[this.at] = this.total;
    this.count = min(this.count + 1, this.sums.length);
  }

  /** Samples held, up to the capacity. */
  get filled(): number {
    return this.count - 1;
  }

  forget(): void {
    this.count = 0;
  }

  /** Sum of the `span` samples that ended `ago` samples before the latest. */
  sum(span: number, ago = 0): number {
    const back = (n: number) => (this.at - n + this.sums.length) % this.sums.length;
    return this.sums[back(ago)] - this.sums[back(ago + span)];
  }

  /** Mean of the latest `span` samples (fewer while filling). */
  mean(span: number): number {
    const n = max(1, min(span, this.filled));
    return this.sum(n) / n;
  }
}
