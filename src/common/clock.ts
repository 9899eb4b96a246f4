/** Time is injected, never read directly, so that outcomes are reproducible in tests. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock stopped at one instant: for tests, benchmarks and replaying a day. */
export class FixedClock extends Clock {
  constructor(private readonly at: Date) {
    super();
  }

  now(): Date {
    return this.at;
  }
}
