import { createHash } from 'node:crypto';

import { z } from 'zod';

/** Ids that travel on the wire and in MQTT topic levels: no spaces, no wildcards, no slashes. */
export const WireId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
    'must be 1-64 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
  );

export const Channel = z.enum(['A', 'B']).describe('Pneumatic channel of the cuff unit: one cuff each.');
export type Channel = z.infer<typeof Channel>;

export const Posture = z.enum(['supine', 'seated', 'standing']).describe('Body position of a LOP measurement.');
export type Posture = z.infer<typeof Posture>;

export const BlockMode = z
  .enum(['continuous', 'intermittent', 'passive'])
  .describe(
    'continuous: inflated through the sets and the rests; intermittent: inflated for each set, deflated between; passive: occlusion cycles without exercise, deflated between.',
  );
export type BlockMode = z.infer<typeof BlockMode>;

const CuffSite = z
  .strictObject({
    channel: Channel,
    site: z
      .strictObject({
        limb: z.enum(['thigh', 'upper-arm']).describe('Limb the cuff is on.'),
        side: z.enum(['left', 'right']).describe('Side.'),
      })
      .describe('Where the cuff is.'),
    cuffWidthCm: z.number().min(2).max(30).describe('Width of the cuff, cm; the LOP holds only for this width.'),
    lopMmHg: z
      .number()
      .int()
      .min(40)
      .max(400)
      .describe('Limb occlusion pressure the targets are a percentage of, mmHg.'),
    lopTakenAt: z.iso.datetime({ offset: true }).describe('When the LOP was measured.'),
    lopPosture: Posture,
  })
  .describe('One cuff of the program and the LOP its targets come from.');

const ProgramSet = z
  .strictObject({
    reps: z.number().int().min(0).max(100).describe('Repetitions in the set; 0 for a passive occlusion cycle.'),
    workS: z.number().int().min(1).max(1200).describe('Length of the set, seconds.'),
  })
  .describe('One set (or one passive occlusion cycle).');

const ProgramBlock = z
  .strictObject({
    blockId: WireId.describe('Id of the block within the program.'),
    channel: Channel,
    exerciseId: WireId.describe('Exercise from the catalogue.'),
    mode: BlockMode,
    targetPct: z.number().gt(0).max(100).describe('Set point as a percentage of the cuff’s LOP.'),
    targetMmHg: z.number().int().min(20).max(400).describe('Set point, mmHg: round(targetPct / 100 × lopMmHg).'),
    sets: z.array(ProgramSet).min(1).max(12).describe('Sets in order.'),
    setRestS: z.number().int().min(0).max(600).describe('Rest between sets, seconds.'),
    inflatedDuringRest: z
      .boolean()
      .describe('Whether the cuff stays inflated between sets; true exactly in continuous mode.'),
    reperfusionS: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .describe('Deflated time after the block before the next one, seconds.'),
  })
  .describe('One exercise on one cuff.');
export type ProgramBlock = z.infer<typeof ProgramBlock>;

const ProgramLimits = z
  .strictObject({
    ceilingMmHg: z.number().int().min(20).max(400).describe('Highest set point allowed, mmHg.'),
    tripMmHg: z.number().int().min(20).max(400).describe('Measured pressure at which the cuff dumps at once, mmHg.'),
    maxBlockInflationS: z.number().int().min(1).max(7200).describe('Longest occlusion of one block, seconds.'),
    maxSessionInflationS: z
      .number()
      .int()
      .min(1)
      .max(14400)
      .describe('Longest total occlusion per cuff in the session, seconds.'),
    minReperfusionS: z.number().int().min(0).max(3600).describe('Least deflated time between blocks, seconds.'),
    windowMmHg: z.number().int().min(1).max(100).describe('Alarm window around the set point, mmHg.'),
  })
  .describe('Limits of this program; each may be tighter than the cuff’s own, never looser.');

/**
 * What a cuff runs: the cuffs and the LOPs the targets come from, the blocks in order, and the
 * limits. It names exercises and limbs but never the patient; the server binds a program to a
 * patient's session on its side.
 */
export const CuffProgram = z
  .strictObject({
    programId: WireId.describe('Id of the program; a cuff treats the same id with the same hash as the same program.'),
    cuffs: z.array(CuffSite).min(1).max(2).describe('The cuffs in use, one per channel.'),
    blocks: z.array(ProgramBlock).min(1).max(24).describe('Exercise blocks in the order they run.'),
    limits: ProgramLimits,
  })
  .superRefine((program, ctx) => {
    const channels = program.cuffs.map((cuff) => cuff.channel);
    if (new Set(channels).size !== channels.length) {
      ctx.addIssue({ code: 'custom', path: ['cuffs'], message: 'lists the same channel twice' });
    }
    const blockIds = new Set<string>();
    program.blocks.forEach((block, i) => {
      if (!channels.includes(block.channel)) {
        ctx.addIssue({
          code: 'custom',
          path: ['blocks', i, 'channel'],
          message: `names channel ${block.channel}, which has no cuff in the program`,
        });
      }
      if (blockIds.has(block.blockId)) {
        ctx.addIssue({ code: 'custom', path: ['blocks', i, 'blockId'], message: `repeats block id ${block.blockId}` });
      }
      blockIds.add(block.blockId);
      if (block.inflatedDuringRest !== (block.mode === 'continuous')) {
        ctx.addIssue({
          code: 'custom',
          path: ['blocks', i, 'inflatedDuringRest'],
          message: `must be ${block.mode === 'continuous'} in ${block.mode} mode`,
        });
      }
    });
  })
  .describe('A cuff program: cuffs, blocks and limits, without patient identifiers.');
export type CuffProgram = z.infer<typeof CuffProgram>;

/** JSON with object keys sorted at every level: the same program always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** SHA-256 (hex) of the program's canonical JSON; the cuff stores it and echoes it in its acks. */
export function programSha256(program: CuffProgram): string {
  return createHash('sha256').update(canonicalJson(program)).digest('hex');
}

/** The cuff stays inflated for the block's sets, and for the rests between them in continuous mode. */
export function blockOcclusionS(block: ProgramBlock): number {
  const work = block.sets.reduce((sum, set) => sum + set.workS, 0);
  return work + (block.inflatedDuringRest ? block.setRestS * (block.sets.length - 1) : 0);
}

/** Set point the cuff recomputes from the block's percentage and its cuff's LOP. */
export function expectedTargetMmHg(program: CuffProgram, block: ProgramBlock): number | null {
  const cuff = program.cuffs.find((c) => c.channel === block.channel);
  return cuff ? Math.round((block.targetPct / 100) * cuff.lopMmHg) : null;
}
