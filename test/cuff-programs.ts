import { type CuffProgram, type ProgramBlock } from '../src/device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';

/** A block on channel A of a cuff whose LOP is 200 mmHg: 60 % LOP = 120 mmHg, two sets inflated through the rest. */
export function programBlock(overrides: Partial<ProgramBlock> = {}): ProgramBlock {
  return {
    blockId: 'b1',
    channel: 'A',
    exerciseId: 'leg-press',
    mode: 'continuous',
    targetPct: 60,
    targetMmHg: 120,
    sets: [
      { reps: 30, workS: 60 },
      { reps: 15, workS: 40 },
    ],
    setRestS: 30,
    inflatedDuringRest: true,
    reperfusionS: 60,
    ...overrides,
  };
}

/** A valid program for one thigh cuff (channel A, LOP 200 mmHg) with the cuff's own limits. */
export function cuffProgram(overrides: Partial<CuffProgram> = {}): CuffProgram {
  return {
    programId: 'prg-1',
    cuffs: [
      {
        channel: 'A',
        site: { limb: 'thigh', side: 'left' },
        cuffWidthCm: 11.5,
        lopMmHg: 200,
        lopTakenAt: '2026-01-05T08:30:00.000Z',
        lopPosture: 'supine',
      },
    ],
    blocks: [programBlock()],
    limits: {
      ceilingMmHg: DEVICE_LIMITS.maxSetPointMmHg,
      tripMmHg: DEVICE_LIMITS.tripMmHg,
      maxBlockInflationS: DEVICE_LIMITS.defaultBlockInflationS,
      maxSessionInflationS: DEVICE_LIMITS.maxSessionInflationS,
      minReperfusionS: DEVICE_LIMITS.minReperfusionS,
      windowMmHg: DEVICE_LIMITS.windowMmHg,
    },
    ...overrides,
  };
}
