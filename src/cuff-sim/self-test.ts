import type { Channel } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { CuffChannel } from './cuff-channel';
import { Zeroing } from './zeroing';

const SETTLE_MS = 1000;
/** The hold is judged on the mean of its first and of its last second, so the pulse averages out. */
const JUDGED_MS = 1000;

export type SelfTestOutcome = { passed: boolean; detail: string };

/**
 * SR-14, before any inflation: zero the sensors on empty cuffs, fill every cuff to 100 mmHg, close
 * the valves, and fail any cuff that loses 3 mmHg or more in 10 s. Ends with the cuffs dumped.
 */
export class SelfTest {
  private phase: 'zero' | 'fill' | 'settle' | 'hold' | 'dump' = 'zero';
  private sinceMs: number;
  private readonly zeroing: Zeroing;
  private readonly first = new Map<Channel, { sum: number; n: number }>();
  private readonly last = new Map<Channel, { sum: number; n: number }>();
  private failure: string | null = null;

  constructor(startedMs: number) {
    this.sinceMs = startedMs;
    this.zeroing = new Zeroing(startedMs);
  }

  /** Drives the cuffs one step; gives the outcome once they are down again. */
  step(at: number, cuffs: readonly CuffChannel[], raw: ReadonlyMap<Channel, number>): SelfTestOutcome | null {
    const { holdMmHg, holdS, maxDropMmHg } = DEVICE_LIMITS.selfTest;
    switch (this.phase) {
      case 'zero': {
        cuffs.forEach((cuff) => cuff.openValves());
        const zeroing = this.zeroing.step(at, raw);
        if (zeroing === 'failed') {
          this.fail('the cuffs did not empty for zeroing');
        } else if (zeroing === 'done') {
          cuffs.forEach((cuff) => cuff.zeroAt(this.zeroing.zeroOf(cuff.channel)));
          this.next('fill', at);
        }
        return null;
      }
      case 'fill': {
        for (const cuff of cuffs) {
          cuff.cuff.dumpOpen = false;
          cuff.cuff.bleedOpen = false;
          cuff.cuff.pumpOn = cuff.fast < holdMmHg + 1;
        }
        if (cuffs.every((cuff) => !cuff.cuff.pumpOn)) {
          this.next('settle', at);
        } else if (at - this.sinceMs > DEVICE_LIMITS.inflateTimeoutS * 1000) {
          this.fail(`the cuffs did not reach ${holdMmHg} mmHg in ${DEVICE_LIMITS.inflateTimeoutS} s`);
        }
        return null;
      }
      case 'settle':
        cuffs.forEach((cuff) => (cuff.cuff.pumpOn = false));
        if (at - this.sinceMs >= SETTLE_MS) {
          this.next('hold', at);
        }
        return null;
      case 'hold': {
        const heldMs = at - this.sinceMs;
        const bucket = heldMs < JUDGED_MS ? this.first : heldMs > holdS * 1000 - JUDGED_MS ? this.last : null;
        for (const cuff of cuffs) {
          cuff.cuff.pumpOn = false;
          if (bucket) {
            const sum = bucket.get(cuff.channel) ?? { sum: 0, n: 0 };
            bucket.set(cuff.channel, { sum: sum.sum + cuff.last, n: sum.n + 1 });
          }
        }
        if (heldMs >= holdS * 1000) {
          const mean = (sum = { sum: 0, n: 0 }) => sum.sum / Math.max(1, sum.n);
          const leaking = cuffs
            .map((cuff) => ({
              channel: cuff.channel,
              drop: mean(this.first.get(cuff.channel)) - mean(this.last.get(cuff.channel)),
            }))
            .filter((cuff) => cuff.drop >= maxDropMmHg);
          if (leaking.length > 0) {
            this.fail(
              leaking
                .map((d) => `channel ${d.channel} lost ${d.drop.toFixed(1)} mmHg in ${holdS} s (limit ${maxDropMmHg})`)
                .join('; '),
            );
          } else {
            this.next('dump', at);
          }
        }
        return null;
      }
      case 'dump':
        cuffs.forEach((cuff) => cuff.openValves());
        if (!cuffs.every((cuff) => cuff.fast <= DEVICE_LIMITS.deflatedMmHg)) {
          return null;
        }
        return this.failure
          ? { passed: false, detail: this.failure }
          : {
              passed: true,
              detail: `zeroed; held ${holdMmHg} mmHg for ${holdS} s with less than ${maxDropMmHg} mmHg loss`,
            };
    }
  }

  private next(phase: SelfTest['phase'], at: number): void {
    this.phase = phase;
    this.sinceMs = at;
  }

  private fail(why: string): void {
    this.failure = why;
    this.phase = 'dump';
  }
}
