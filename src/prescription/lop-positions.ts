import { z } from 'zod';

import type { DataSpec } from '../rules/data-spec';
import { Evidence } from '../rules/rule-file.schema';
import { Limb } from '../screening/screening.ruleset';
import { BodyPosition } from './indication';
import type { RuleRef } from './plan.schema';

const Factor = z.strictObject({
  from: BodyPosition.describe('Position the LOP was measured (or the equation derived) in: the higher-LOP one.'),
  to: BodyPosition.describe('Position of the exercise: the lower-LOP one.'),
  factor: z
    .number()
    .gt(0)
    .lt(1)
    .describe('LOP in `to` as a fraction of LOP in `from`, at the low end of what the sources report.'),
  note: z.string().trim().min(10).describe('Where the fraction comes from.'),
});

export const LopPositionEffect = z
  .strictObject({
    id: z
      .string()
      .regex(/^lop-position\.[a-z-]+$/)
      .describe('Stable id, e.g. `lop-position.thigh`.'),
    version: z.number().int().min(1),
    title: z.string().trim().min(3),
    limb: Limb.describe('The cuff site.'),
    order: z.array(BodyPosition).length(3).describe('Body positions from the lowest LOP to the highest.'),
    factors: z
      .array(Factor)
      .describe(
        'Known sizes of the drop from a higher-LOP position to a lower one; a pair not listed has no known size.',
      ),
    rationale: z.string().trim().min(10),
    evidence: z.array(Evidence).min(1),
  })
  .superRefine((effect, ctx) => {
    if (new Set(effect.order).size !== effect.order.length) {
      ctx.addIssue({ code: 'custom', path: ['order'], message: 'lists a position twice' });
    }
    effect.factors.forEach((f, i) => {
      if (effect.order.indexOf(f.from) <= effect.order.indexOf(f.to)) {
        ctx.addIssue({
          code: 'custom',
          path: ['factors', i],
          message: `${f.from} is not a higher-LOP position than ${f.to} in \`order\``,
        });
      }
    });
  })
  .meta({
    id: 'LopPositionEffect',
    description: 'How the LOP of one limb changes with body position: the order and the known sizes.',
  });
export type LopPositionEffect = z.infer<typeof LopPositionEffect>;

export const LopPositionsFile = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().trim().min(3),
  description: z.string().trim().min(10),
  limbs: z
    .array(LopPositionEffect)
    .min(1)
    .refine((list) => new Set(list.map((e) => e.limb)).size === list.length, 'lists the same limb twice')
    .refine(
      (list) => Limb.options.every((limb) => list.some((e) => e.limb === limb)),
      `must describe every cuff site (${Limb.options.join(', ')})`,
    ),
});
export type LopPositionsFile = z.infer<typeof LopPositionsFile>;

/** `rules-data/lop-positions.data.json`; each cuff site's entry is cited by the plans it carries an LOP for. */
export const lopPositions: DataSpec<LopPositionsFile> = {
  name: 'lop-positions',
  schema: LopPositionsFile,
  sourced: (file) => ({
    title: file.title,
    description: file.description,
    entries: file.limbs.map(({ id, version, title, rationale, evidence, ...settings }) => ({
      id,
      version,
      title,
      rationale,
      evidence,
      settings,
    })),
  }),
};

/** The LOP of the exercise's position as a fraction of the LOP a value was taken in. */
export type PositionEffect =
  | { kind: 'same' }
  /** Measured in a lower-LOP position: the set pressure is a smaller share of the real LOP (safe, weaker). */
  | { kind: 'lower' }
  | { kind: 'higher'; factor: number; basis: RuleRef }
  /** A higher-LOP position whose size is not known: the LOP cannot be carried over. */
  | { kind: 'unknown'; basis: RuleRef };

const refOf = (effect: LopPositionEffect): RuleRef => ({
  ruleId: effect.id,
  version: effect.version,
  title: effect.title,
  evidence: effect.evidence,
});

/**
 * How the LOP of `to` relates to an LOP taken in `from` on this limb. `from` null means the
 * position is not stated (an equation that does not say): the worst case over every position is
 * taken, and any higher-LOP position of unknown size makes it unknown (fail closed).
 */
export function positionEffect(
  table: LopPositionsFile,
  limb: z.infer<typeof Limb>,
  from: BodyPosition | null,
  to: BodyPosition,
): PositionEffect {
  // The file's schema makes every cuff site present.
  const effect = table.limbs.find((e) => e.limb === limb)!;
  if (from === to) {
    return { kind: 'same' };
  }
  const rank = (p: BodyPosition) => effect.order.indexOf(p);
  const single = (p: BodyPosition): PositionEffect => {
    if (p === to) {
      return { kind: 'same' };
    }
    if (rank(p) < rank(to)) {
      return { kind: 'lower' };
    }
    const known = effect.factors.find((f) => f.from === p && f.to === to);
    return known
      ? { kind: 'higher', factor: known.factor, basis: refOf(effect) }
      : { kind: 'unknown', basis: refOf(effect) };
  };
  if (from !== null) {
    return single(from);
  }
  const each = effect.order.map(single);
  const unknown = each.find((e) => e.kind === 'unknown');
  if (unknown) {
    return unknown;
  }
  const higher = each.filter((e): e is Extract<PositionEffect, { kind: 'higher' }> => e.kind === 'higher');
  return higher.length === 0 ? { kind: 'lower' } : higher.reduce((worst, e) => (e.factor < worst.factor ? e : worst));
}
