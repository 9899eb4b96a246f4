import { AdmissionLimit } from './admission-limit';

describe('AdmissionLimit', () => {
  const interval = (limit: AdmissionLimit, ...durationsMs: number[]) => {
    durationsMs.forEach((ms) => limit.answered(ms));
    limit.adapt();
    return limit.current;
  };
  /** A limit that has seen answers in time long enough to reach its ceiling. */
  const grown = (ceiling: number) => {
    const limit = new AdmissionLimit(ceiling, 1000);
    while (limit.current < ceiling) {
      interval(limit, 10);
    }
    return limit;
  };

  it('starts at a quarter of the ceiling, grows to it while answers come within the target, and stays there', () => {
    const limit = new AdmissionLimit(64, 1000);
    expect(limit.current).toBe(16);
    const growing = Array.from({ length: 20 }, () => interval(limit, 20, 30, 900));
    expect(growing.slice(0, 3)).toEqual([17, 18, 19]);
    expect(growing.at(-1)).toBe(64);
  });

  it('shrinks while the median answer is late, down to a floor, and grows back once answers are in time', () => {
    const limit = grown(64);
    const shrinking = Array.from({ length: 12 }, () => interval(limit, 1500, 2600, 1200));
    expect(shrinking.slice(0, 3)).toEqual([48, 36, 27]);
    expect(shrinking.at(-1)).toBe(4);
    const growing = Array.from({ length: 40 }, () => interval(limit, 100, 120));
    expect(growing.slice(0, 3)).toEqual([5, 6, 7]);
    expect(growing.at(-1)).toBe(64);
  });

  it('is not closed by a few requests that are long by nature, such as a LOP search', () => {
    const limit = grown(64);
    expect(interval(limit, 40_000, 30, 25, 60_000, 35)).toBe(64);
  });

  it('keeps the bound when nothing was answered in an interval', () => {
    const limit = grown(64);
    interval(limit, 5000);
    expect(interval(limit)).toBe(48);
  });

  it('stays at the ceiling without a target', () => {
    const limit = new AdmissionLimit(64, 0);
    expect(limit.current).toBe(64);
    expect(interval(limit, 5000, 6000)).toBe(64);
  });

  it('never goes below a ceiling smaller than the floor', () => {
    const limit = new AdmissionLimit(3, 1000);
    expect(interval(limit, 5000)).toBe(3);
  });
});
