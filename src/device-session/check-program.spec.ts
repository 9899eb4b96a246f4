import fc from 'fast-check';

import { cuffProgram, programBlock } from '../../test/cuff-programs';
import { propertyRuns, propertyTimeoutMs } from '../../test/property-runs';
import { ErrorCode } from '../common/problem';
import { SAFETY_ENVELOPE } from '../prescription/safety-envelope';
import type { CuffProgram, ProgramBlock } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { checkProgram, type ProgramBreach, programRefusal } from './check-program';

const NOW = Date.parse('2026-01-05T09:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW - hours * 3_600_000).toISOString();

const cuffArb = (channel: 'A' | 'B', side: 'left' | 'right', { maxLopMmHg = 330, maxHoursAgo = 30 } = {}) =>
  fc.record({
    channel: fc.constant(channel),
    site: fc.record({ limb: fc.constantFrom('thigh' as const, 'upper-arm' as const), side: fc.constant(side) }),
    cuffWidthCm: fc.constantFrom(5, 11.5, 18),
    lopMmHg: fc.integer({ min: 90, max: maxLopMmHg }),
    lopTakenAt: fc.integer({ min: 0, max: maxHoursAgo }).map(hoursAgo),
    lopPosture: fc.constantFrom('supine' as const, 'seated' as const, 'standing' as const),
  });

const blockArb = (cuffs: CuffProgram['cuffs'], index: number) =>
  fc
    .record({
      cuff: fc.constantFrom(...cuffs),
      mode: fc.constantFrom('continuous' as const, 'intermittent' as const, 'passive' as const),
      targetPct: fc.integer({ min: 30, max: 85 }),
      skew: fc.constantFrom(0, 0, 0, 0, 1, -1, 2),
      sets: fc.array(fc.record({ reps: fc.integer({ min: 0, max: 30 }), workS: fc.integer({ min: 20, max: 420 }) }), {
        minLength: 1,
        maxLength: 5,
      }),
      setRestS: fc.integer({ min: 15, max: 120 }),
      reperfusionS: fc.integer({ min: 40, max: 180 }),
    })
    .map((b): ProgramBlock => ({
      blockId: `b${index + 1}`,
      channel: b.cuff.channel,
      exerciseId: 'leg-press',
      mode: b.mode,
      targetPct: b.targetPct,
      targetMmHg: Math.max(20, Math.round((b.targetPct / 100) * b.cuff.lopMmHg) + b.skew),
      sets: b.sets,
      setRestS: b.setRestS,
      inflatedDuringRest: b.mode === 'continuous',
      reperfusionS: b.reperfusionS,
    }));

/** Programs around the limits: most values inside, a fair share just over one of them. */
const programArb = fc
  .tuple(cuffArb('A', 'left'), fc.option(cuffArb('B', 'right'), { nil: undefined }), fc.integer({ min: 1, max: 8 }))
  .chain(([a, b, count]) => {
    const cuffs = b ? [a, b] : [a];
    return fc.record({
      cuffs: fc.constant(cuffs),
      blocks: fc.tuple(...Array.from({ length: count }, (_, i) => blockArb(cuffs, i))),
      limits: fc.record({
        ceilingMmHg: fc.constantFrom(220, 250, 250, 260),
        tripMmHg: fc.constantFrom(280, 300, 300, 310),
        maxBlockInflationS: fc.constantFrom(600, 1200, 1200, 1300),
        maxSessionInflationS: fc.constantFrom(1200, 1800, 1800, 2000),
        minReperfusionS: fc.constantFrom(45, 60, 60, 90),
        windowMmHg: fc.constantFrom(10, 15, 15, 20),
      }),
    });
  })
  .map((p): CuffProgram => ({ programId: 'prg-gen', ...p }));

const VALID_CUFF = { maxLopMmHg: 300, maxHoursAgo: 23 };

/** Programs inside every limit by construction: at most three blocks a limb, each at most 9.5 minutes. */
const validArb = fc
  .tuple(
    cuffArb('A', 'left', VALID_CUFF),
    fc.option(cuffArb('B', 'right', VALID_CUFF), { nil: undefined }),
    fc.integer({ min: 1, max: 3 }),
  )
  .chain(([a, b, count]) => {
    const cuffs = b ? [a, b] : [a];
    const block = (i: number) =>
      fc
        .record({
          cuff: fc.constantFrom(...cuffs),
          mode: fc.constantFrom('continuous' as const, 'intermittent' as const, 'passive' as const),
          targetPct: fc.integer({ min: 30, max: 80 }),
          sets: fc.array(
            fc.record({ reps: fc.integer({ min: 0, max: 30 }), workS: fc.integer({ min: 20, max: 150 }) }),
            { minLength: 1, maxLength: 3 },
          ),
          setRestS: fc.integer({ min: 15, max: 60 }),
          reperfusionS: fc.integer({ min: 60, max: 180 }),
        })
        .map((r): ProgramBlock => ({
          blockId: `b${i + 1}`,
          channel: r.cuff.channel,
          exerciseId: 'leg-press',
          mode: r.mode,
          targetPct: r.targetPct,
          targetMmHg: Math.round((r.targetPct / 100) * r.cuff.lopMmHg),
          sets: r.sets,
          // Bouts deflated between them need the same reperfusion as blocks.
          setRestS: r.mode === 'continuous' ? r.setRestS : r.setRestS + 45,
          inflatedDuringRest: r.mode === 'continuous',
          reperfusionS: r.reperfusionS,
        }));
    return fc
      .tuple(...Array.from({ length: count * cuffs.length }, (_, i) => block(i)))
      .map((blocks): CuffProgram => ({ programId: 'prg-valid', cuffs, blocks, limits: cuffProgram({}).limits }));
  });

const occlusion = (block: ProgramBlock) =>
  block.sets.reduce((s, set) => s + set.workS, 0) +
  (block.inflatedDuringRest ? block.setRestS * (block.sets.length - 1) : 0);

/** Each limit written out again from the safety reference, independently of the checker. */
function limitsHeld(program: CuffProgram): Record<string, boolean> {
  const { limits, blocks, cuffs } = program;
  const cuffOf = (block: ProgramBlock) => cuffs.find((c) => c.channel === block.channel)!;
  const perChannel = (channel: string) => blocks.filter((b) => b.channel === channel);
  return {
    'SR-1':
      limits.ceilingMmHg <= 250 &&
      limits.tripMmHg <= 300 &&
      blocks.every((b) => b.targetMmHg <= Math.min(250, limits.ceilingMmHg)),
    'SR-2': blocks.every(
      (b) => b.targetPct <= 80 && Math.abs(b.targetMmHg - Math.round((b.targetPct / 100) * cuffOf(b).lopMmHg)) <= 1,
    ),
    'SR-3': cuffs.every((c) => NOW - Date.parse(c.lopTakenAt) <= 24 * 3_600_000),
    'SR-4': blocks.every((b) => occlusion(b) <= Math.min(1200, limits.maxBlockInflationS)),
    'SR-5':
      limits.minReperfusionS >= 60 &&
      blocks.every((b, i) => i === blocks.length - 1 || b.reperfusionS >= limits.minReperfusionS),
    'SR-6':
      limits.maxSessionInflationS <= 1800 &&
      cuffs.every(
        (c) =>
          perChannel(c.channel).length <= 6 &&
          perChannel(c.channel).reduce((s, b) => s + occlusion(b), 0) <= Math.min(1800, limits.maxSessionInflationS),
      ),
    'SR-8': limits.windowMmHg <= 15,
    envelope: blocks.every((b) => {
      const continuous = b.inflatedDuringRest ? occlusion(b) : Math.max(...b.sets.map((s) => s.workS));
      const reperfusion =
        !b.inflatedDuringRest && b.sets.length > 1 ? Math.min(b.reperfusionS, b.setRestS) : b.reperfusionS;
      return (
        continuous / 60 <= SAFETY_ENVELOPE.maxContinuousInflationMinutes[cuffOf(b).site.limb] + 0.05 &&
        reperfusion >= 60
      );
    }),
  };
}

describe('checkProgram', () => {
  it('passes a program within every limit', () => {
    expect(checkProgram(cuffProgram(), NOW)).toEqual([]);
  });

  it.each([
    [
      'SR-1',
      'a set point above 250 mmHg',
      cuffProgram({
        cuffs: [{ ...cuffProgram().cuffs[0], lopMmHg: 330 }],
        blocks: [programBlock({ targetPct: 80, targetMmHg: 264 })],
      }),
    ],
    ['SR-2', 'a target above 80 % LOP', cuffProgram({ blocks: [programBlock({ targetPct: 90, targetMmHg: 180 })] })],
    [
      'SR-3',
      'an LOP taken 25 hours ago',
      cuffProgram({ cuffs: [{ ...cuffProgram().cuffs[0], lopTakenAt: hoursAgo(25) }] }),
    ],
    [
      'SR-4',
      'a block of 21 minutes',
      cuffProgram({
        blocks: [
          programBlock({
            sets: [
              { reps: 0, workS: 1200 },
              { reps: 0, workS: 30 },
            ],
          }),
        ],
      }),
    ],
    [
      'SR-5',
      'a 30 s reperfusion between blocks',
      cuffProgram({ blocks: [programBlock({ reperfusionS: 30 }), programBlock({ blockId: 'b2' })] }),
    ],
    [
      'SR-6',
      'seven blocks on one limb',
      cuffProgram({ blocks: [1, 2, 3, 4, 5, 6, 7].map((i) => programBlock({ blockId: `b${i}` })) }),
    ],
    ['SR-8', 'a 20 mmHg alarm window', cuffProgram({ limits: { ...cuffProgram().limits, windowMmHg: 20 } })],
    [
      'envelope',
      'an arm block continuously inflated for 16 minutes',
      cuffProgram({
        cuffs: [{ ...cuffProgram().cuffs[0], site: { limb: 'upper-arm', side: 'left' } }],
        limits: { ...cuffProgram().limits, maxBlockInflationS: 1200 },
        blocks: [programBlock({ sets: [{ reps: 0, workS: 960 }] })],
      }),
    ],
    ['program', 'a program a cuff cannot read', { ...cuffProgram(), patientRef: 'mrn-1001' } as CuffProgram],
  ])('refuses %s: %s', (requirement, _, program) => {
    const breaches = checkProgram(program, NOW);

    expect(breaches.map((b) => b.requirement)).toContain(requirement);
    const error = programRefusal(breaches);
    expect(error.code).toBe(ErrorCode.ProgramRefused);
    expect(error.status).toBe(422);
    expect(error.detail).toContain(`${requirement}: `);
    expect(error.extensions?.breaches).toEqual(breaches);
  });

  it(
    'accepts only programs that hold every limit, and names each limit a program breaks',
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof(validArb, programArb), (program) => {
          const named = new Set<string>(checkProgram(program, NOW).map((b) => b.requirement));
          const held = limitsHeld(program);
          if (named.size === 0) {
            accepted += 1;
            expect(held).toEqual(Object.fromEntries(Object.keys(held).map((k) => [k, true])));
          }
          for (const [requirement, ok] of Object.entries(held)) {
            if (!ok) {
              expect({ requirement, named: named.has(requirement) }).toEqual({ requirement, named: true });
            }
          }
        }),
        { numRuns: propertyRuns() },
      );
      expect(accepted).toBeGreaterThan(propertyRuns() / 3);
    },
    propertyTimeoutMs(10_000),
  );

  it(
    'refuses any accepted program pushed over one limit, naming that limit',
    () => {
      const over: Array<[ProgramBreach['requirement'], (p: CuffProgram) => CuffProgram]> = [
        ['SR-1', (p) => ({ ...p, limits: { ...p.limits, tripMmHg: DEVICE_LIMITS.tripMmHg + 1 } })],
        ['SR-2', (p) => ({ ...p, blocks: p.blocks.map((b, i) => (i === 0 ? { ...b, targetPct: 81 } : b)) })],
        ['SR-3', (p) => ({ ...p, cuffs: p.cuffs.map((c, i) => (i === 0 ? { ...c, lopTakenAt: hoursAgo(24.5) } : c)) })],
        [
          'SR-4',
          (p) => ({
            ...p,
            blocks: p.blocks.map((b, i) => (i === 0 ? { ...b, sets: [...b.sets, { reps: 0, workS: 1200 }] } : b)),
          }),
        ],
        [
          'SR-6',
          (p) => ({ ...p, limits: { ...p.limits, maxSessionInflationS: DEVICE_LIMITS.maxSessionInflationS + 1 } }),
        ],
        ['SR-8', (p) => ({ ...p, limits: { ...p.limits, windowMmHg: DEVICE_LIMITS.windowMmHg + 1 } })],
      ];
      fc.assert(
        fc.property(validArb, fc.constantFrom(...over), (program, [requirement, push]) => {
          expect(checkProgram(program, NOW)).toEqual([]);
          expect(checkProgram(push(program), NOW).map((b) => b.requirement)).toContain(requirement);
        }),
        { numRuns: propertyRuns() },
      );
    },
    propertyTimeoutMs(10_000),
  );
});
