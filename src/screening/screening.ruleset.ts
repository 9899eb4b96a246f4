import { z } from 'zod';

import type { FactSpec, RulesetSpec } from '../rules/ruleset-spec';
import { LIMB_ITEMS, PATIENT_ITEMS } from './screening-items';

/** A screening question is answered yes, no or unknown; unknown is never read as no. */
export const ScreeningAnswer = z.enum(['yes', 'no', 'unknown']);

/** From best to worst; the overall verdict is the worst that applies. */
export const VERDICTS = ['clear', 'caution', 'refer', 'incomplete', 'contraindicated'] as const;
export const Verdict = z.enum(VERDICTS);
export type Verdict = z.infer<typeof Verdict>;

export const Limb = z.enum(['thigh', 'upper-arm']);
export const Side = z.enum(['left', 'right']);
export const Sex = z.enum(['female', 'male', 'other', 'unknown']);

/** Changes a caution asks of the prescription; the prescription engine applies them. */
export const Modification = z.enum([
  'conservative-first-session',
  'lower-pressure',
  'intermittent-inflation',
  'supervised-sessions',
]);

const answers = (items: Record<string, string>): Record<string, FactSpec> =>
  Object.fromEntries(
    Object.entries(items).map(([item, question]) => [item, { description: question, schema: ScreeningAnswer }]),
  );

const count = (description: string, schema: z.ZodType = z.number().int().min(0)) => ({ description, schema });

const Finding = z
  .strictObject({
    type: z.literal('finding'),
    params: z.strictObject({
      verdict: Verdict.exclude(['clear']),
      clinicianMessage: z.string().trim().min(10),
      patientMessage: z.string().trim().min(10),
      /** For `incomplete` findings: the item or measurement that is missing. */
      missing: z.string().min(1).optional(),
      /** For `incomplete` findings: a fact that lists the missing items (when the rule cannot know them in advance). */
      missingFrom: z.literal('vteUnansweredItems').optional(),
      /** For a `caution` read from an item answered unknown: the item. It is asked (`incomplete`) when it alone would make a clear screening a caution, or when the screening is incomplete anyway. */
      unanswered: z.string().min(1).optional(),
      /** For `caution`: what the prescription must change; for `refer`: what it must change once a clearance lifts the referral. */
      modifications: z.array(Modification).min(1).optional(),
    }),
  })
  .refine((event) => event.params.verdict !== 'refer' || event.params.modifications !== undefined, {
    path: ['params', 'modifications'],
    message: 'a referral names the modifications a clearance keeps (at least those of its milder caution band)',
  });

export const screeningRuleset: RulesetSpec = {
  name: 'screening',
  facts: {
    ...answers(PATIENT_ITEMS),
    ageYears: count('Age in whole years on the day of screening.', z.number().int().min(0).max(130)),
    sex: { description: 'Administrative sex.', schema: Sex },
    bmi: count('Body-mass index, kg/m².', z.number().min(5).max(100)),
    systolicBp: count('Resting systolic pressure, mmHg; null when none is recorded.', z.number().int().nullable()),
    diastolicBp: count('Resting diastolic pressure, mmHg; null when none is recorded.', z.number().int().nullable()),
    bloodPressureAgeDays: count(
      'Days since the blood pressure was measured; null when none is recorded.',
      z.number().int().min(0).nullable(),
    ),
    surgicalIndication: {
      description:
        'True when the screening is made for a plan of a surgically treated condition (the indication counts as recent surgery); false for a screening on its own.',
      schema: z.boolean(),
    },
    daysSinceSurgery: count(
      'Days since the most recent surgery; null when there was none in the last 3 months or it is not known.',
      z.number().int().min(0).nullable(),
    ),
    vteScore: count('Points of the VTE risk screen (the vte-points ruleset) from the items answered, summed.'),
    vteScoreIfUnanswered: count('Points the VTE risk screen would reach if every item not answered were yes.'),
    vteUnansweredItems: {
      description: 'The items not answered that would add VTE points if they were yes.',
      schema: z.array(z.string()),
    },
  },
  event: Finding,
};

export const screeningLimbRuleset: RulesetSpec = {
  name: 'screening-limb',
  facts: {
    ...answers(LIMB_ITEMS),
    limb: { description: 'Where the cuff goes.', schema: Limb },
    side: { description: 'Which side.', schema: Side },
    circumferenceCm: count('Limb circumference at the cuff site, cm; null when not measured.', z.number().nullable()),
  },
  event: Finding,
};

/** The points of the VTE risk screen; the same facts as the screening, less the score itself. */
export const vtePointsRuleset: RulesetSpec = {
  name: 'vte-points',
  facts: Object.fromEntries(
    Object.entries(screeningRuleset.facts).filter(
      ([name]) => !['vteScore', 'vteScoreIfUnanswered', 'vteUnansweredItems'].includes(name),
    ),
  ),
  event: z.strictObject({
    type: z.literal('points'),
    params: z.strictObject({ points: z.number().int().min(1).max(10), factor: z.string().min(3) }),
  }),
};
