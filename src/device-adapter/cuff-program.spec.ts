import { cuffProgram, programBlock } from '../../test/cuff-programs';
import { blockOcclusionS, canonicalJson, CuffProgram, programSha256 } from './cuff-program';
import { programLimitBreaches } from './program-limits';

describe('cuff programs', () => {
  it('hashes the canonical JSON, so key order does not change the hash but any value does', () => {
    const program = cuffProgram();
    const reversedKeys = Object.fromEntries(Object.entries(program).reverse()) as CuffProgram;

    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    expect(programSha256(reversedKeys)).toBe(programSha256(program));
    expect(programSha256(program)).toMatch(/^[0-9a-f]{64}$/);
    expect(programSha256(cuffProgram({ blocks: [programBlock({ setRestS: 31 })] }))).not.toBe(programSha256(program));
  });

  it('refuses structural nonsense: unknown channel, repeated ids, a mode that disagrees with the rest', () => {
    const result = CuffProgram.safeParse(
      cuffProgram({
        blocks: [programBlock({ channel: 'B' }), programBlock({ mode: 'intermittent' })],
      }),
    );

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'blocks.0.channel: names channel B, which has no cuff in the program',
      'blocks.1.blockId: repeats block id b1',
      'blocks.1.inflatedDuringRest: must be false in intermittent mode',
    ]);
    expect(CuffProgram.safeParse({ ...cuffProgram(), patientId: 'mrn-1' }).success).toBe(false);
  });

  it('counts occlusion through the rests only in continuous mode', () => {
    expect(blockOcclusionS(programBlock())).toBe(60 + 30 + 40);
    expect(blockOcclusionS(programBlock({ mode: 'intermittent', inflatedDuringRest: false }))).toBe(100);
  });

  it('finds no breach in a program within the cuff limits', () => {
    expect(programLimitBreaches(cuffProgram())).toEqual([]);
  });

  it.each([
    [
      'a target above 80 % LOP',
      { blocks: [programBlock({ targetPct: 85, targetMmHg: 170 })] },
      'blocks.0.targetPct',
      'SR-2',
    ],
    [
      'a set point above 250 mmHg',
      {
        cuffs: [{ ...cuffProgram().cuffs[0], lopMmHg: 340 }],
        blocks: [programBlock({ targetPct: 80, targetMmHg: 272 })],
      },
      'blocks.0.targetMmHg',
      'SR-1',
    ],
    [
      'a target that is not the percentage of the LOP',
      { blocks: [programBlock({ targetMmHg: 140 })] },
      'blocks.0.targetMmHg',
      'SR-2',
    ],
    [
      'a block longer than its limit',
      { blocks: [programBlock({ sets: [{ reps: 0, workS: 601 }] })] },
      'blocks.0.sets',
      'SR-4',
    ],
    [
      'a reperfusion shorter than 60 s before the next block',
      { blocks: [programBlock({ reperfusionS: 45 }), programBlock({ blockId: 'b2' })] },
      'blocks.0.reperfusionS',
      'SR-5',
    ],
    [
      'a looser trip than the cuff’s',
      { limits: { ...cuffProgram().limits, tripMmHg: 320 } },
      'limits.tripMmHg',
      'SR-1',
    ],
    [
      'more than 30 min of occlusion on one limb',
      { blocks: [1, 2, 3, 4].map((i) => programBlock({ blockId: `b${i}`, sets: [{ reps: 0, workS: 500 }] })) },
      'blocks',
      'SR-6',
    ],
    [
      'more than six blocks on one limb',
      { blocks: [1, 2, 3, 4, 5, 6, 7].map((i) => programBlock({ blockId: `b${i}` })) },
      'blocks',
      'SR-6',
    ],
  ])('breaches the limits with %s', (_, overrides, path, requirement) => {
    const breaches = programLimitBreaches(cuffProgram(overrides));

    expect(breaches).toContainEqual(expect.objectContaining({ path, requirement }));
  });

  it('does not ask for reperfusion after the last block', () => {
    expect(programLimitBreaches(cuffProgram({ blocks: [programBlock({ reperfusionS: 0 })] }))).toEqual([]);
  });
});
