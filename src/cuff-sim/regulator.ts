import { PNEUMATICS, pumpRate } from './cuff-physics';

// Bound once: this code runs 100 times a second per cuff, and global lookups are slow in sandboxes such as jest's.
const { max, min } = Math;

/** The regulator aims this far above the set point, inside the window. */
const AIM_ABOVE_MMHG = 2;
/** It lets air out only when the averaged pressure is this far above the set point. */
const BLEED_ABOVE_MMHG = 6;
const SHORTEST_BURST_MS = 50;
const LONGEST_BURST_MS = 1500;

/**
 * Holds a cuff at its set point without fighting the limb: it reads the pressure averaged over
 * one rep (the contraction wave cancels), corrects in one burst of pump or bleed sized to the
 * deficit, then waits one rep for the average to show the result. After inflation it first tops
 * the cuff up to just above the set point on the live pressure.
 */
export class Regulator {
  private toppingUp = true;
  private burst: { until: number; pump: boolean } | null = null;
  private waitUntilMs = 0;

  /** Starts over, e.g. when a cuff has just been inflated. */
  restart(): void {
    this.toppingUp = true;
    this.burst = null;
    this.waitUntilMs = 0;
  }

  step(
    atMs: number,
    live: number,
    averaged: number,
    target: number,
    averageSpanMs: number,
  ): { pump: boolean; bleed: boolean } {
    if (this.toppingUp) {
      if (live < target + AIM_ABOVE_MMHG) {
        return { pump: true, bleed: false };
      }
      this.toppingUp = false;
      this.waitUntilMs = atMs + averageSpanMs;
    }
    if (this.burst && atMs < this.burst.until) {
      return { pump: this.burst.pump, bleed: !this.burst.pump };
    }
    this.burst = null;
    if (atMs < this.waitUntilMs) {
      return { pump: false, bleed: false };
    }
    const aim = target + AIM_ABOVE_MMHG;
    let burstMs: number;
    let pump: boolean;
    if (averaged < target) {
      pump = true;
      burstMs = ((aim - averaged) / max(1, pumpRate(averaged))) * 1000;
    } else if (averaged > target + BLEED_ABOVE_MMHG) {
      pump = false;
      burstMs = ((averaged - aim) / PNEUMATICS.bleedMmHgPerS) * 1000;
    } else {
      return { pump: false, bleed: false };
    }
    const until = atMs + min(LONGEST_BURST_MS, max(SHORTEST_BURST_MS, burstMs));
    this.burst = { until, pump };
    this.waitUntilMs = until + averageSpanMs;
    return { pump, bleed: !pump };
  }
}
