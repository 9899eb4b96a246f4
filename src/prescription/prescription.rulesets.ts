import { z } from 'zod';

import type { FactSpec, RulesetSpec } from '../rules/ruleset-spec';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../screening/screening-items';
import { Limb, Modification, ScreeningAnswer, Verdict } from '../screening/screening.ruleset';
import { ExerciseId } from './exercise-catalogue';
import { BodyPosition, Condition, EvidenceGrade, Goal, LopMethod, Modality, Stage, WeightBearing } from './indication';

const fact = (description: string, schema: z.ZodType): FactSpec => ({ description, schema });
const message = z.string().trim().min(10);

/** A warning a rule attaches to a plan; a `caution` must be acknowledged before the plan is approved. */
export const RuleWarning = z.strictObject({
  severity: z.enum(['caution', 'info']),
  clinicianMessage: message,
  patientMessage: message.optional(),
});
export type RuleWarning = z.infer<typeof RuleWarning>;

/** What a selection rule's `phase` event says: the phase, its stage and evidence, and its exercises. */
export const PhaseParams = z.strictObject({
  phase: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be "<condition>.<phase>"'),
  label: z.string().trim().min(3),
  stage: Stage,
  evidenceGrade: EvidenceGrade,
  exercises: z
    .array(z.strictObject({ exercise: ExerciseId, sides: z.enum(['injured', 'both']) }))
    .min(1)
    .max(6),
  clinicianMessage: message,
  patientMessage: message,
});
export type PhaseParams = z.infer<typeof PhaseParams>;

/** What a selection rule's `refer` or `hold` event says. */
export const StopParams = z.strictObject({ clinicianMessage: message, patientMessage: message });

/** Facts every prescription ruleset may read about the indication and the plan being built. */
const indicationFacts = {
  condition: fact('The condition treated.', Condition),
  goal: fact('What the plan is for.', Goal),
  newToBfr: fact("Whether this is the patient's first BFR programme (yes, no or unknown).", ScreeningAnswer),
  modifications: fact('What the screening cautions ask the plan to change.', z.array(Modification)),
};

const phaseFacts = {
  phase: fact('The phase the selection rules chose, e.g. `acl-reconstruction.early`.', z.string()),
  stage: fact('The stage of the four-stage model the phase is in.', Stage),
};

export const selectionRuleset: RulesetSpec = {
  name: 'selection',
  facts: {
    ...indicationFacts,
    weeksSinceSurgery: fact(
      'Completed weeks since the operation; null for a condition treated without surgery.',
      z.number().int().min(0).nullable(),
    ),
    weeksSinceOnset: fact(
      'Completed weeks since the injury began or was diagnosed; null after surgery.',
      z.number().int().min(0).nullable(),
    ),
    weightBearing: fact('Weight-bearing status allowed on the injured limb.', WeightBearing),
    clearedFindings: fact(
      'The rule ids the recorded clearances name; a selection referral is lifted only by a clearance that names it.',
      z.array(z.string()),
    ),
  },
  event: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('phase'), params: PhaseParams }),
    z.strictObject({ type: z.literal('warning'), params: RuleWarning }),
    z.strictObject({ type: z.literal('refer'), params: StopParams }),
    z.strictObject({ type: z.literal('hold'), params: StopParams }),
  ]),
};

const Tempo = z.strictObject({
  concentricSeconds: z.number().min(0.5).max(10).describe('Seconds to lift.'),
  eccentricSeconds: z.number().min(0.5).max(10).describe('Seconds to lower.'),
});
const Bouts = z.strictObject({
  count: z.number().int().min(1).max(10).describe('Number of bouts.'),
  minutes: z.number().min(0.5).max(30).describe('Minutes of each bout with the cuff inflated.'),
  restSeconds: z.number().int().min(0).max(900).describe('Deflated rest between bouts, seconds.'),
});

/** The dose parameters the dosing rules set, one exercise at a time. */
export const DoseValues = z.strictObject({
  lopPercent: z.number().min(1).max(100).describe("Working cuff pressure, % of the limb's LOP."),
  startLopPercent: z.number().min(1).max(100).describe('Cuff pressure for the first session, % LOP.'),
  rampStepLopPercent: z
    .number()
    .min(1)
    .max(40)
    .describe('Rise of the pressure at each session after the first, % LOP, until the working pressure is reached.'),
  loadPercent1RM: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .describe('Load, % of one-repetition maximum; null for no external load.'),
  setScheme: z
    .array(z.number().int().min(1).max(50))
    .min(1)
    .max(6)
    .describe('Repetitions of each set, e.g. 30-15-15-15.'),
  restBetweenSetsSeconds: z.number().int().min(0).max(300).describe('Rest between sets, cuff kept inflated.'),
  tempo: Tempo.describe('Seconds per lifting and lowering phase.'),
  bouts: Bouts.describe('Timed bouts with the cuff on (aerobic and passive BFR).'),
  intensity: message.describe('How hard the aerobic work is, in words.'),
  reperfusionSeconds: z
    .number()
    .int()
    .min(0)
    .max(900)
    .describe('Cuff deflated after the exercise before the next one, seconds.'),
  maxContinuousMinutes: z
    .number()
    .min(1)
    .max(60)
    .describe('Longest the cuff may stay inflated without a break in this exercise.'),
});
export type DoseValues = z.infer<typeof DoseValues>;
export type DoseParameter = keyof DoseValues;

/** Parameters a rule may only lower: caution and first-session rules cap, they never raise. */
export const DoseCaps = DoseValues.pick({
  lopPercent: true,
  startLopPercent: true,
  loadPercent1RM: true,
  maxContinuousMinutes: true,
})
  .extend({ loadPercent1RM: z.number().min(0).max(100) })
  .partial();

const settingEvent = <S extends z.ZodObject, C extends z.ZodObject>(type: string, set: S, cap: C) =>
  z.strictObject({
    type: z.literal(type),
    params: z
      .strictObject({ set: set.partial().optional(), cap: cap.optional(), warning: RuleWarning.optional() })
      .refine((p) => p.set !== undefined || p.cap !== undefined || p.warning !== undefined, 'give set, cap or warning'),
  });

export const dosingRuleset: RulesetSpec = {
  name: 'dosing',
  facts: {
    ...indicationFacts,
    ...phaseFacts,
    exercise: fact('The exercise dosed.', ExerciseId),
    modality: fact('Resistance, aerobic or passive.', Modality),
    limb: fact('Where the cuff goes.', Limb),
    position: fact('Body position during the exercise.', BodyPosition),
    load: fact('Kind of load: external, body-weight or none.', z.enum(['external', 'body-weight', 'none'])),
    injuredSide: fact('True when the exercise is done on the injured side.', z.boolean()),
    lopSource: fact('Whether the LOP is measured or estimated.', z.enum(['measured', 'estimated'])),
    lopCaution: fact('True when an LOP rule raised a caution about the LOP this exercise uses.', z.boolean()),
  },
  event: settingEvent('dose', DoseValues, DoseCaps),
};

export const Progression = z.strictObject({
  trigger: z.enum(['last-set-reps', 'every-weeks', 'clinician-review']).describe('What starts a step up.'),
  repsAbove: z
    .number()
    .int()
    .min(1)
    .nullable()
    .describe('For `last-set-reps`: step up when the last set passes this many repetitions.'),
  everyWeeks: z.number().int().min(1).nullable().describe('For `every-weeks`: step up this often.'),
  loadStepKg: z.number().min(0).nullable().describe('Step in kg when a 1RM is known.'),
  loadStepPercent1RM: z.number().min(0).nullable().describe('Step in % 1RM.'),
  clinicianMessage: message.describe('The progression rule, for the clinician.'),
  patientMessage: message.describe('The progression rule, in plain words.'),
});
export type Progression = z.infer<typeof Progression>;

export const ScheduleValues = z.strictObject({
  sessionsPerWeek: z
    .strictObject({
      min: z.number().int().min(1).max(14).describe('Fewest sessions a week.'),
      max: z.number().int().min(1).max(14).describe('Most sessions a week.'),
    })
    .refine((s) => s.min <= s.max, 'min must not exceed max'),
  minHoursBetweenSessions: z.number().int().min(0).max(168),
  programWeeks: z.number().int().min(1).max(52),
  progression: Progression,
  supervision: z.enum(['supervised', 'supervised-then-home', 'home']),
  maxExercisesFirstSession: z.number().int().min(1).max(6),
});
export type ScheduleValues = z.infer<typeof ScheduleValues>;
export type ScheduleParameter = keyof ScheduleValues;

export const scheduleRuleset: RulesetSpec = {
  name: 'schedule',
  facts: { ...indicationFacts, ...phaseFacts },
  event: settingEvent('schedule', ScheduleValues, z.strictObject({ programWeeks: z.number().int().min(1) })),
};

const answers = (items: Record<string, string>): Record<string, FactSpec> =>
  Object.fromEntries(Object.entries(items).map(([item, question]) => [item, fact(question, ScreeningAnswer)]));

export const LopAction = z.enum(['remeasure', 'caution', 'warning']);

/** What an LOP rule's finding says: remeasure, caution or warn, and why. */
export const LopFindingParams = z.strictObject({
  action: LopAction,
  clinicianMessage: message,
  patientMessage: message.optional(),
});

export const lopRuleset: RulesetSpec = {
  name: 'lop',
  facts: {
    ...answers(PATIENT_ITEMS),
    ...answers(LIMB_ITEMS),
    limb: fact('Where the cuff goes.', Limb),
    siteVerdict: fact('Screening verdict for this cuff site.', Verdict),
    systolicBp: fact('Resting systolic pressure, mmHg; null when none is recorded.', z.number().int().nullable()),
    cuffWidthCm: fact('Width of the cuff that will be used at this site, cm.', z.number().positive()),
    exercisePosition: fact('Body position of the exercises that use this LOP.', BodyPosition),
    lopSource: fact(
      '`measured`, `estimated` (from an enabled equation that matches the cuff) or `none`.',
      z.enum(['measured', 'estimated', 'none']),
    ),
    estimateOutsidePopulation: fact(
      'True when no LOP was measured and an enabled equation matches the cuff, but the patient is outside the population it was derived in.',
      z.boolean(),
    ),
    method: fact('How the LOP was measured; null when it was not.', LopMethod.nullable()),
    readings: fact(
      'How many readings the measured LOP rests on; null when not stated.',
      z.number().int().min(1).nullable(),
    ),
    measuredPosition: fact('Body position of the measurement; null when not measured.', BodyPosition.nullable()),
    measuredCuffWidthCm: fact(
      'Width of the cuff used to measure; null when not measured.',
      z.number().positive().nullable(),
    ),
    lopAgeDays: fact('Days since the LOP was measured; null when not measured.', z.number().int().min(0).nullable()),
    equationPosition: fact(
      'For an estimate: the body position the equation was derived in (`not-stated` when unknown); null otherwise.',
      z.enum(['supine', 'seated', 'standing', 'not-stated']).nullable(),
    ),
  },
  event: z.strictObject({
    type: z.literal('lop-finding'),
    params: LopFindingParams,
  }),
};
