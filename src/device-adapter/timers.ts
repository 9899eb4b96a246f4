/**
 * Time for the cuff side: the simulator, the transports and the session supervisor read the clock
 * and set their timers only through this, so a test can run a 30-minute session on a virtual clock
 * in a fraction of a second and every deadline (ack, heartbeat, block time) stays exact.
 */
export type TimerHandle = object;

export interface Timers {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/** Wall-clock time and Node's timers: what the service uses outside tests. */
export class SystemTimers implements Timers {
  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return globalThis.setTimeout(callback, ms);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    globalThis.clearTimeout(handle as NodeJS.Timeout | undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return globalThis.setInterval(callback, ms);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    globalThis.clearInterval(handle as NodeJS.Timeout | undefined);
  }
}

interface VirtualTimer {
  id: number;
  at: number;
  every: number | null;
  callback: () => void;
}

/** One turn of the event loop: pending promise callbacks and ready I/O run before the next timer fires. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when told to. Due timers fire in time order (ties in the order they were
 * set), the clock reading the timer's own instant while it runs, and the event loop turns once after
 * each so that promise chains started by a timer (an ack resolving a send) settle before the next.
 */
export class VirtualTimers implements Timers {
  private current: number;
  private queue: VirtualTimer[] = [];
  private nextId = 1;
  private advancing = false;

  constructor(start: number | Date = Date.parse('2026-01-05T09:00:00.000Z')) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.schedule(callback, ms, null);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.cancel(handle);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.schedule(callback, ms, Math.max(1, ms));
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.cancel(handle);
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.queue.length;
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0)) {
      throw new RangeError(`cannot advance a clock by ${ms} ms`);
    }
    return this.advanceTo(this.current + ms);
  }

  /** Moves the clock forward to `at` (ms since the epoch), firing every timer due by then. */
  async advanceTo(at: number): Promise<void> {
    if (at < this.current) {
      throw new RangeError(`the virtual clock is at ${this.current}; it does not go back to ${at}`);
    }
    if (this.advancing) {
      throw new Error('the virtual clock is already being advanced');
    }
    this.advancing = true;
    try {
      for (let next = this.queue[0]; next !== undefined && next.at <= at; next = this.queue[0]) {
        this.queue.shift();
        this.current = next.at;
        if (next.every !== null) {
          next.at += next.every;
          this.insert(next);
        }
        next.callback();
        await settle();
      }
      this.current = at;
      await settle();
    } finally {
      this.advancing = false;
    }
  }

  /**
   * Moves the clock forward in steps of `stepMs`, pausing `realPauseMs` of real time after each, so
   * that network I/O (a broker round trip) keeps pace with virtual time.
   */
  async runFor(
    ms: number,
    { stepMs = 100, realPauseMs = 1 }: { stepMs?: number; realPauseMs?: number } = {},
  ): Promise<void> {
    const end = this.current + ms;
    while (this.current < end) {
      await this.advanceTo(Math.min(end, this.current + stepMs));
      await new Promise((resolve) => globalThis.setTimeout(resolve, realPauseMs));
    }
  }

  /**
   * Advances in steps until `done()` holds; throws when it still does not after `timeoutMs`.
   * Returns the virtual time it took.
   */
  async advanceUntil(
    done: () => boolean,
    { timeoutMs, stepMs = 10, realPauseMs = 0 }: { timeoutMs: number; stepMs?: number; realPauseMs?: number },
  ): Promise<number> {
    const start = this.current;
    while (!done()) {
      if (this.current - start >= timeoutMs) {
        throw new Error(`condition not reached within ${timeoutMs} ms of virtual time`);
      }
      await this.advanceTo(Math.min(start + timeoutMs, this.current + stepMs));
      if (realPauseMs > 0) {
        await new Promise((resolve) => globalThis.setTimeout(resolve, realPauseMs));
      }
    }
    return this.current - start;
  }

  private schedule(callback: () => void, ms: number, every: number | null): VirtualTimer {
    const timer: VirtualTimer = { id: this.nextId++, at: this.current + Math.max(0, ms), every, callback };
    this.insert(timer);
    return timer;
  }

  private insert(timer: VirtualTimer): void {
    // After every timer due at the same instant or earlier: ties fire in the order they were set.
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.queue[middle];
      if (other.at < timer.at || (other.at === timer.at && other.id < timer.id)) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.queue.splice(low, 0, timer);
  }

  private cancel(handle: TimerHandle | undefined): void {
    const index = this.queue.indexOf(handle as VirtualTimer);
    if (index >= 0) {
      this.queue.splice(index, 1);
    }
  }
}
