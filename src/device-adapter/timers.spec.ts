import { VirtualTimers } from './timers';

describe('VirtualTimers', () => {
  it('fires due timers in time order, reading each timer’s own instant', async () => {
    const sut = new VirtualTimers(1_000);
    const fired: Array<[string, number]> = [];
    sut.setTimeout(() => fired.push(['b', sut.now()]), 300);
    sut.setTimeout(() => fired.push(['a', sut.now()]), 100);
    sut.setTimeout(() => fired.push(['c', sut.now()]), 300);
    sut.setTimeout(() => fired.push(['late', sut.now()]), 501);

    await sut.advance(500);

    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_300],
      ['c', 1_300],
    ]);
    expect(sut.now()).toBe(1_500);
    await sut.advance(1);
    expect(fired.at(-1)).toEqual(['late', 1_501]);
  });

  it('repeats intervals until cleared and forgets cleared timeouts', async () => {
    const sut = new VirtualTimers(0);
    const ticks: number[] = [];
    const interval = sut.setInterval(() => {
      ticks.push(sut.now());
      if (ticks.length === 3) {
        sut.clearInterval(interval);
      }
    }, 250);
    const cancelled = sut.setTimeout(() => ticks.push(-1), 100);
    sut.clearTimeout(cancelled);

    await sut.advance(10_000);

    expect(ticks).toEqual([250, 500, 750]);
    expect(sut.pending).toBe(0);
  });

  it('lets the promises a timer starts settle before the next timer fires', async () => {
    const sut = new VirtualTimers(0);
    const order: string[] = [];
    sut.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => order.push('promise chain of the first timer'));
    }, 10);
    sut.setTimeout(() => order.push('second timer'), 10);

    await sut.advance(10);

    expect(order).toEqual(['promise chain of the first timer', 'second timer']);
  });

  it('advances until a condition holds and refuses to go back in time', async () => {
    const sut = new VirtualTimers(0);
    let done = false;
    sut.setTimeout(() => (done = true), 1_234);

    const took = await sut.advanceUntil(() => done, { timeoutMs: 5_000, stepMs: 100 });

    expect(took).toBe(1_300);
    await expect(sut.advanceUntil(() => false, { timeoutMs: 1_000 })).rejects.toThrow('not reached within 1000 ms');
    await expect(sut.advanceTo(0)).rejects.toThrow('does not go back');
  });

  it('runs five minutes of a 100 Hz loop', async () => {
    const sut = new VirtualTimers(0);
    let ticks = 0;
    const loop = sut.setInterval(() => ticks++, 10);

    await sut.advance(5 * 60 * 1000);
    sut.clearInterval(loop);

    expect(ticks).toBe(30_000);
  });
});
