import fc from 'fast-check';

import { propertyRuns, propertyTimeoutMs } from '../../test/property-runs';
import { type CuffProgram, programSha256 } from '../device-adapter/cuff-program';
import { DeviceCommandError, DeviceNoAckError } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Command } from '../device-adapter/protocol';
import { SimTransport } from './sim-transport';
import { INFLATED_STATES } from '../device-adapter/state-machine';
import { VirtualTimers } from '../device-adapter/timers';
import { dumpTimeS } from './cuff-physics';

/** Mostly valid programs (so that sessions really run), sometimes past a limit. */
const program: fc.Arbitrary<CuffProgram> = fc
  .record({
    programId: fc.constantFrom('prg-a', 'prg-b', 'prg-c'),
    lopA: fc.integer({ min: 100, max: 280 }),
    lopB: fc.integer({ min: 100, max: 280 }),
    blocks: fc.array(
      fc.record({
        channel: fc.constantFrom('A' as const, 'B' as const),
        mode: fc.constantFrom('continuous' as const, 'intermittent' as const, 'passive' as const),
        targetPct: fc.oneof(
          { weight: 20, arbitrary: fc.integer({ min: 40, max: 80 }) },
          { weight: 1, arbitrary: fc.integer({ min: 81, max: 95 }) },
        ),
        targetError: fc.oneof(
          { weight: 20, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) },
        ),
        sets: fc.array(fc.record({ reps: fc.integer({ min: 0, max: 30 }), workS: fc.integer({ min: 5, max: 120 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        setRestS: fc.integer({ min: 0, max: 60 }),
        reperfusionS: fc.oneof(
          { weight: 20, arbitrary: fc.integer({ min: 60, max: 90 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 59 }) },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    maxBlockInflationS: fc.oneof(
      { weight: 10, arbitrary: fc.integer({ min: 600, max: 1200 }) },
      { weight: 1, arbitrary: fc.integer({ min: 60, max: 599 }) },
    ),
  })
  .map(({ programId, lopA, lopB, blocks, maxBlockInflationS }) => {
    const lop = { A: lopA, B: lopB };
    return {
      programId,
      cuffs: (['A', 'B'] as const).map((channel) => ({
        channel,
        site: { limb: 'thigh' as const, side: channel === 'A' ? ('left' as const) : ('right' as const) },
        cuffWidthCm: 11.5,
        lopMmHg: lop[channel],
        lopTakenAt: '2026-01-05T08:00:00.000Z',
        lopPosture: 'supine' as const,
      })),
      blocks: blocks.map((block, i) => ({
        blockId: `b${i + 1}`,
        channel: block.channel,
        exerciseId: 'leg-press',
        mode: block.mode,
        targetPct: block.targetPct,
        targetMmHg: Math.max(20, Math.round((block.targetPct / 100) * lop[block.channel]) + block.targetError),
        sets: block.sets,
        setRestS: block.setRestS,
        inflatedDuringRest: block.mode === 'continuous',
        reperfusionS: block.reperfusionS,
      })),
      limits: {
        ceilingMmHg: 250,
        tripMmHg: 300,
        maxBlockInflationS,
        maxSessionInflationS: 1800,
        minReperfusionS: 60,
        windowMmHg: 15,
      },
    };
  });

type Action =
  | { kind: 'command'; command: Command }
  | { kind: 'wait'; ms: number }
  | { kind: 'cut' }
  | { kind: 'restore' }
  | { kind: 'button' }
  | { kind: 'reboot' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant<Command>({ type: 'SELF_TEST', body: {} }),
  fc.constantFrom<Command>(
    { type: 'MEASURE_LOP', body: { channel: 'A', posture: 'supine' } },
    { type: 'MEASURE_LOP', body: { channel: 'B', posture: 'seated' } },
  ),
  program.map<Command>((p) => ({
    type: 'PUSH_PROGRAM',
    body: { programId: p.programId, sha256: programSha256(p), program: p },
  })),
  fc.constantFrom('prg-a', 'prg-b', 'prg-c').map<Command>((programId) => ({ type: 'START', body: { programId } })),
  fc.constantFrom<Command>(
    { type: 'NEXT_SET', body: {} },
    { type: 'PAUSE', body: {} },
    { type: 'RESUME', body: {} },
    { type: 'DEFLATE', body: {} },
    { type: 'ABORT', body: {} },
    { type: 'CLEAR_ALARM', body: {} },
  ),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: command.map<Action>((c) => ({ kind: 'command', command: c })) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 60_000 }).map<Action>((ms) => ({ kind: 'wait', ms })) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'cut' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'restore' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'button' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'reboot' }) },
);

/** SR-7: the watchdog's 5 s after the last heartbeat, then a dump from as high as the trip. */
const LOST_LINK_DEFLATED_WITHIN_MS =
  DEVICE_LIMITS.watchdogMs + dumpTimeS(DEVICE_LIMITS.tripMmHg, DEVICE_LIMITS.deflatedMmHg) * 1000;

/** Whatever the sequence, a cuff never passes its hard limits (SR-1, SR-4, SR-6). */
function assertHardLimits(transport: SimTransport): void {
  const cuff = transport.sim('cuff-1');
  for (const channel of ['A', 'B'] as const) {
    const record = cuff.record(channel);
    expect(record.peakMmHg).toBeLessThan(DEVICE_LIMITS.tripMmHg);
    expect(record.longestInflatedS).toBeLessThanOrEqual(
      DEVICE_LIMITS.independentInflationCutoffS + dumpTimeS(DEVICE_LIMITS.tripMmHg, DEVICE_LIMITS.deflatedMmHg),
    );
    const occlusion = cuff.occlusionS(channel);
    expect(occlusion.block).toBeLessThanOrEqual(DEVICE_LIMITS.maxBlockInflationS);
    expect(occlusion.session).toBeLessThanOrEqual(DEVICE_LIMITS.maxSessionInflationS);
  }
}

describe('CuffSim safety properties (random commands, timings, link drops and clock jumps)', () => {
  it(
    'never passes the trip or the inflation limits, acks every DEFLATE OK, and ends deflated when the link is lost while inflated',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.option(program, { freq: 3 }),
          fc.array(action, { minLength: 5, maxLength: 30 }),
          fc.integer({ min: 1, max: 1000 }),
          async (session, random, seed) => {
            // Most runs start a session first, so that the random actions fall on an inflated cuff.
            const actions: Action[] = session
              ? [
                  { kind: 'command', command: { type: 'SELF_TEST', body: {} } },
                  { kind: 'wait', ms: 25_000 },
                  {
                    kind: 'command',
                    command: {
                      type: 'PUSH_PROGRAM',
                      body: { programId: session.programId, sha256: programSha256(session), program: session },
                    },
                  },
                  { kind: 'command', command: { type: 'START', body: { programId: session.programId } } },
                  { kind: 'wait', ms: 15_000 },
                  ...random,
                ]
              : random;
            const timers = new VirtualTimers();
            const transport = new SimTransport({
              devices: [{ deviceId: 'cuff-1', seed, lopMmHg: { A: 120 + (seed % 150), B: 150 } }],
              timers,
            });
            await transport.start();
            const cuff = transport.sim('cuff-1');
            let cut = false;
            try {
              for (const step of actions) {
                switch (step.kind) {
                  case 'command': {
                    const sent = transport.send('cuff-1', step.command).catch((error: unknown) => error);
                    if (cut) {
                      await timers.advance(DEVICE_LIMITS.ackDeadlineMs);
                      const outcome = await sent;
                      expect(outcome).toBeInstanceOf(DeviceCommandError);
                    } else {
                      const ack = await sent;
                      expect(ack).not.toBeInstanceOf(Error);
                      if (step.command.type === 'DEFLATE' || step.command.type === 'ABORT') {
                        expect(ack).toMatchObject({ result: 'OK' });
                      }
                    }
                    break;
                  }
                  case 'wait':
                    await timers.advance(step.ms);
                    break;
                  case 'cut': {
                    const inflated =
                      INFLATED_STATES.has(cuff.state) ||
                      cuff.pressure('A') > DEVICE_LIMITS.deflatedMmHg ||
                      cuff.pressure('B') > DEVICE_LIMITS.deflatedMmHg;
                    transport.cutLink('cuff-1');
                    cut = true;
                    if (inflated) {
                      await timers.advance(LOST_LINK_DEFLATED_WITHIN_MS);
                      expect(cuff.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
                      expect(cuff.pressure('B')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
                    }
                    break;
                  }
                  case 'restore':
                    transport.restoreLink('cuff-1');
                    cut = false;
                    break;
                  case 'button':
                    cuff.faults.pressButton();
                    break;
                  case 'reboot':
                    cuff.faults.reboot();
                    expect(cuff.state).toBe('IDLE');
                    break;
                }
                assertHardLimits(transport);
              }
              await timers.advance(5 * 60_000);
              assertHardLimits(transport);
            } finally {
              await transport.stop();
            }
          },
        ),
        { numRuns: propertyRuns(0.3) },
      );
    },
    propertyTimeoutMs(120_000),
  );

  it(
    'a link lost at any moment of a session always leaves the cuffs deflated within 5 s plus the dump time',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          program,
          fc.integer({ min: 0, max: 200_000 }),
          fc.integer({ min: 1, max: 1000 }),
          async (p, lostAfterMs, seed) => {
            const timers = new VirtualTimers();
            const transport = new SimTransport({
              devices: [{ deviceId: 'cuff-1', seed, lopMmHg: { A: p.cuffs[0].lopMmHg, B: p.cuffs[1].lopMmHg } }],
              timers,
            });
            await transport.start();
            const cuff = transport.sim('cuff-1');
            try {
              await transport.send('cuff-1', { type: 'SELF_TEST', body: {} });
              await timers.advanceUntil(() => cuff.state === 'READY', { timeoutMs: 60_000, stepMs: 100 });
              const pushed = await transport.send('cuff-1', {
                type: 'PUSH_PROGRAM',
                body: { programId: p.programId, sha256: programSha256(p), program: p },
              });
              fc.pre(pushed.result === 'OK');
              await transport.send('cuff-1', { type: 'START', body: { programId: p.programId } });
              await timers.advance(lostAfterMs);

              transport.cutLink('cuff-1');
              await timers.advance(LOST_LINK_DEFLATED_WITHIN_MS);

              expect(cuff.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
              expect(cuff.pressure('B')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
              await timers.advance(60_000);
              expect(['FAULT', 'DONE']).toContain(cuff.state);
              const deflate = transport.send('cuff-1', { type: 'DEFLATE', body: {} }).catch((error: unknown) => error);
              await timers.advance(DEVICE_LIMITS.ackDeadlineMs);
              expect(await deflate).toBeInstanceOf(DeviceNoAckError);
            } finally {
              await transport.stop();
            }
          },
        ),
        { numRuns: propertyRuns(0.25) },
      );
    },
    propertyTimeoutMs(120_000),
  );
});
