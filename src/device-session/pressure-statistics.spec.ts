import { PressureAccumulator, PressureTrace } from './pressure-statistics';

const sample = (meanMmHg: number, spread = 2) => ({ meanMmHg, minMmHg: meanMmHg - spread, maxMmHg: meanMmHg + spread });

describe('pressure statistics', () => {
  it('reduces a set to min, mean, max and the time within ± window of the set point', () => {
    const set = new PressureAccumulator(120, 15);
    [118, 121, 135, 136, 104, 100].forEach((p) => set.add(sample(p)));

    expect(set.result()).toEqual({
      samples: 6,
      observedMs: 600,
      inBandMs: 300,
      minMmHg: 98,
      meanMmHg: 119,
      maxMmHg: 138,
    });
  });

  it('counts the band edge as in band and anything beyond it as out', () => {
    const set = new PressureAccumulator(100, 15);

    expect([115, 85, 115.1, 84.9].map((p) => set.add(sample(p)))).toEqual([true, true, false, false]);
  });

  it('keeps one point a second per channel, the open second only when the trace is final', () => {
    const trace = new PressureTrace();
    for (let ms = 0; ms < 2500; ms += 100) {
      trace.add('A', ms, sample(ms < 1000 ? 50 : 100, 1));
    }

    expect(trace.toJSON()).toEqual({
      A: [
        [0, 49, 50, 51],
        [1, 99, 100, 101],
      ],
    });
    expect(trace.toJSON(true).A).toHaveLength(3);
  });
});
