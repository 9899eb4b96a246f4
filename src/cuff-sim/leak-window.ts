import { RunningSums } from './moving-average';

/**
 * SR-9 leak estimate: the air the regulator put in minus what the bleed let out over a window,
 * less the rise of the cuff pressure averaged over one rep (so the muscle's wave cancels). What is
 * left is what the cuff lost.
 */
export class LeakWindow {
  private readonly air: RunningSums;
  private readonly pressure: RunningSums;

  constructor(
    private readonly windowSteps: number,
    private readonly maxAverageSteps: number,
  ) {
    this.air = new RunningSums(windowSteps + maxAverageSteps);
    this.pressure = new RunningSums(windowSteps + maxAverageSteps);
  }

  forget(): void {
    this.air.forget();
    this.pressure.forget();
  }

  push(airInMmHg: number, pressureMmHg: number): void {
    this.air.push(airInMmHg);
    this.pressure.push(pressureMmHg);
  }

  /** mmHg/s lost over the window, or null until the window is full. */
  lossRate(averageSteps: number, stepS: number): number | null {
    const steps = Math.max(1, Math.min(averageSteps, this.maxAverageSteps));
    if (this.pressure.filled < this.windowSteps + steps) {
      return null;
    }
    // Each pressure mean stands for the middle of its span: the air is counted over the same window.
    const half = steps >> 1;
    const airIn = this.air.sum(this.windowSteps, half);
    const rise = (this.pressure.sum(steps) - this.pressure.sum(steps, this.windowSteps)) / steps;
    return (airIn - rise) / (this.windowSteps * stepS);
  }
}
