/** The smallest bound: a slow machine still works on a few requests at once. */
const FLOOR = 4;
/** Share of the bound kept when answers come late: a burst is brought down within a second or two. */
const DECREASE = 0.75;
/** Share by which the bound grows back while answers come in time (at least one request). */
const INCREASE = 0.1;
/**
 * Share of the ceiling a fresh process starts with: the first wave of a burst is admitted before
 * any answer has been timed, and all of it waits; it grows to the ceiling in a few seconds of
 * answers in time.
 */
const START = 0.25;

/**
 * How many requests may be in progress at once, adapted to how fast they are answered. A fixed
 * bound is right for one machine only: by Little's law requests wait bound ÷ throughput, so 64 in
 * progress on a machine answering 25 a second means answers 2.6 s late. Each interval, the median
 * time of the requests answered in it is compared with the target: late, the bound shrinks;
 * in time, it grows back towards the ceiling. The median leaves out the few requests that are
 * long by nature (a LOP search, a slow EHR) so they cannot close the door on everyone else.
 */
export class AdmissionLimit {
  private bound: number;
  private durations: number[] = [];

  constructor(
    private readonly ceiling: number,
    private readonly targetMs: number,
  ) {
    // Without a target the bound is fixed at the ceiling.
    this.bound = targetMs > 0 ? Math.min(ceiling, Math.max(FLOOR, Math.ceil(ceiling * START))) : ceiling;
  }

  get current(): number {
    return this.bound;
  }

  /** A request admitted `ms` ago has been answered. */
  answered(ms: number): void {
    this.durations.push(ms);
  }

  /** Ends an interval: adapts the bound to the answers given in it, if any. */
  adapt(): void {
    if (this.durations.length === 0 || this.targetMs === 0) {
      return;
    }
    const sorted = this.durations.sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    this.durations = [];
    const floor = Math.min(FLOOR, this.ceiling);
    this.bound =
      median > this.targetMs
        ? Math.max(floor, Math.floor(this.bound * DECREASE))
        : Math.min(this.ceiling, this.bound + Math.max(1, Math.floor(this.bound * INCREASE)));
  }
}
