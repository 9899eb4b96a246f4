import { z } from 'zod';

import { Evidence } from '../rules/rule-file.schema';
import { Limb, Side } from '../screening/screening.ruleset';
import { ScreeningOutcome } from '../screening/screening.schema';
import { Exercise } from './exercise-catalogue';
import { BodyPosition, Condition, EvidenceGrade, LopMethod, Stage, WeightBearing } from './indication';
import { DoseValues, Progression, ScheduleValues } from './prescription.rulesets';

export const RuleRef = z
  .object({
    ruleId: z.string().describe('The rule.'),
    version: z.number().int().describe('Revision of the rule.'),
    title: z.string().describe('What the rule says.'),
    evidence: z.array(Evidence).describe('The sources behind it.'),
  })
  .meta({ id: 'RuleRef', description: 'A rule that set a value, with its evidence.' });
export type RuleRef = z.infer<typeof RuleRef>;

const basis = z.array(RuleRef).describe('The rules that set this value (the winning rule, then any that lowered it).');
const setBy = <T extends z.ZodType>(value: T, description: string) =>
  z.object({ value: value.describe(description), basis }).describe(`${description} With the rules that set it.`);

export const ResolvedLop = z
  .object({
    mmHg: z
      .number()
      .int()
      .describe(
        'The LOP the pressures are computed from, mmHg: the LOP in the exercise position. For an estimate, the lower end of its ± 2·SEE range; for an LOP taken in a higher-LOP position, carried down by `positionAdjustment`.',
      ),
    source: z.enum(['measured', 'estimated']).describe('Measured, or estimated from an equation.'),
    position: BodyPosition.nullable().describe(
      'Body position of the measurement; null for an equation that does not state it.',
    ),
    cuffWidthCm: z.number().describe('Width of the cuff measured with (or the equation was derived with), cm.'),
    method: LopMethod.nullable().describe('How it was measured; null for an estimate.'),
    measuredOn: z.string().nullable().describe('Date of the measurement; null for an estimate.'),
    estimate: z
      .object({
        equationId: z.string().describe('The equation used.'),
        equation: z.string().describe('Its name and source.'),
        pointMmHg: z.number().int().describe('The point estimate, mmHg.'),
        rangeMmHg: z
          .object({
            low: z.number().int().describe('Point − 2·SEE.'),
            high: z.number().int().describe('Point + 2·SEE.'),
          })
          .describe('± 2·SEE.'),
      })
      .nullable()
      .describe('How an estimated LOP was obtained; null when measured.'),
    positionAdjustment: z
      .object({
        fromMmHg: z.number().int().describe('The LOP as measured (or the low end of the estimate), mmHg.'),
        fromPosition: BodyPosition.nullable().describe(
          'The position it was taken in; null for an equation that does not state it (the worst case over every position is then taken).',
        ),
        toPosition: BodyPosition.describe('The position of the exercises; `mmHg` is the LOP carried to it.'),
        factor: z
          .number()
          .describe('LOP in the exercise position as a fraction of the LOP taken: the smallest the sources report.'),
        basis: z.array(RuleRef).describe('The position data behind the factor.'),
      })
      .nullable()
      .describe(
        'When the LOP was taken in a position with a higher LOP than the exercise: how it was carried to the exercise position. Null otherwise.',
      ),
  })
  .meta({ id: 'ResolvedLop', description: 'The LOP a pressure was computed from, with its provenance.' });
export type ResolvedLop = z.infer<typeof ResolvedLop>;

export const PlanCaution = z
  .object({
    id: z.string().describe('Id to acknowledge at approval: the rule id, with the cuff site when it applies to one.'),
    source: z.enum(['screening', 'lop', 'selection', 'dosing', 'schedule']).describe('Which step raised it.'),
    ruleId: z.string().describe('The rule.'),
    title: z.string().describe('What the rule says.'),
    message: z.string().describe('For the clinician.'),
    patientMessage: z.string().nullable().describe('For the patient, when the rule gives one.'),
    site: z
      .object({ limb: Limb.describe('Cuff site.'), side: Side.describe('Side.') })
      .nullable()
      .describe('The cuff site it applies to; null for the whole plan.'),
    evidence: z.array(Evidence).describe('The sources behind the rule.'),
  })
  .meta({ id: 'PlanCaution', description: 'A caution the approving clinician must acknowledge.' });
export type PlanCaution = z.infer<typeof PlanCaution>;

export const PlanWarning = PlanCaution.omit({ id: true })
  .extend({
    severity: z.enum(['warning', 'info']).describe('`warning` matters for safety or effect; `info` gives context.'),
  })
  .meta({ id: 'PlanWarning', description: 'Something the clinician should know; no acknowledgement needed.' });
export type PlanWarning = z.infer<typeof PlanWarning>;

export const ExerciseDose = z
  .object({
    pressure: z
      .object({
        lopPercent: z.number().describe('Working pressure, % LOP.'),
        mmHg: z.number().int().describe('Working cuff set point: % LOP × LOP, rounded.'),
        startLopPercent: z.number().describe('First-session pressure, % LOP.'),
        startMmHg: z.number().int().describe('First-session set point, mmHg.'),
        ramp: z
          .array(
            z.object({
              session: z.number().int().describe('Session of the plan, from 1.'),
              lopPercent: z.number().describe('Pressure of that session, % LOP.'),
              mmHg: z.number().int().describe('Set point of that session, mmHg.'),
            }),
          )
          .describe(
            'The pressure of each session from the first-session pressure up to the first session at the working pressure; later sessions stay at the working pressure.',
          ),
        lop: ResolvedLop,
        basis: z
          .object({ lopPercent: basis, startLopPercent: basis, rampStepLopPercent: basis })
          .describe('The rules behind each percentage.'),
      })
      .describe('Cuff pressure.'),
    load: z
      .object({
        kind: z.enum(['external', 'body-weight', 'none']).describe('External load, body weight or none.'),
        percent1RM: z.number().nullable().describe('% of one-repetition maximum; null without external load.'),
        kg: z.number().nullable().describe('Load in kg (nearest 0.5 kg) when a 1RM is known; null otherwise.'),
        basis,
      })
      .describe('Load.'),
    sets: setBy(DoseValues.shape.setScheme.nullable(), 'Repetitions per set; null for aerobic and passive work.'),
    restBetweenSets: z
      .object({
        seconds: z.number().int().nullable().describe('Rest between sets; null for aerobic and passive work.'),
        cuff: z.literal('inflated').describe('The cuff stays inflated between sets.'),
        basis,
      })
      .describe('Rest between sets.'),
    tempo: setBy(DoseValues.shape.tempo.nullable(), 'Seconds up and down; null for aerobic and passive work.'),
    bouts: setBy(
      DoseValues.shape.bouts.nullable(),
      'Timed bouts with the cuff deflated between; null for resistance work.',
    ),
    intensity: setBy(z.string().nullable(), 'How hard the aerobic work is; null otherwise.'),
    reperfusion: z
      .object({
        seconds: z.number().int().describe('Cuff deflated after the exercise before the next, seconds.'),
        cuff: z.literal('deflated').describe('The cuff is let down fully.'),
        basis,
      })
      .describe('Deflation and reperfusion after the exercise.'),
    maxContinuousMinutes: setBy(z.number(), 'Longest the cuff may stay inflated without a break.'),
    continuousMinutes: z
      .number()
      .describe('How long the cuff stays inflated without a break in this exercise as dosed (computed).'),
    inflatedMinutes: z.number().describe('Total inflated time of the exercise (computed).'),
  })
  .meta({
    id: 'ExerciseDose',
    description: 'The dose of one exercise on one limb, each parameter with the rules that set it.',
  });
export type ExerciseDose = z.infer<typeof ExerciseDose>;

export const PlannedExercise = z
  .object({
    order: z.number().int().describe('Order in the session, from 1; the injured side first.'),
    exercise: Exercise.omit({ evidence: true }).describe('The exercise from the catalogue.'),
    site: z
      .object({ limb: Limb.describe('Cuff site.'), side: Side.describe('Side.') })
      .describe('Where the cuff goes.'),
    injuredSide: z.boolean().describe('True on the injured or operated side.'),
    dose: ExerciseDose,
    basis: z.array(RuleRef).describe('The selection rule that chose the exercise.'),
  })
  .meta({ id: 'PlannedExercise', description: 'An exercise of the plan with its dose.' });
export type PlannedExercise = z.infer<typeof PlannedExercise>;

export const Schedule = z
  .object({
    sessionsPerWeek: setBy(ScheduleValues.shape.sessionsPerWeek, 'Sessions a week.'),
    minHoursBetweenSessions: setBy(z.number().int(), 'Least hours between sessions.'),
    programWeeks: setBy(z.number().int(), 'Length of the programme, weeks.'),
    progression: setBy(Progression, 'When and how the load steps up.'),
    supervision: setBy(ScheduleValues.shape.supervision, 'Who is present.'),
    maxExercisesFirstSession: setBy(z.number().int(), 'How many exercises with the cuff in the first session.'),
    loadCeilingPercent1RM: z.number().describe('Progression never takes a BFR load above this (the safety envelope).'),
  })
  .meta({ id: 'Schedule', description: 'How often, for how long, and how the plan progresses.' });
export type Schedule = z.infer<typeof Schedule>;

export const Plan = z
  .object({
    generatedOn: z.iso
      .date()
      .describe('The day the plan was made for; weeks since surgery or onset are counted to it.'),
    rulesetVersion: z.string().describe('Version of the rules that made it.'),
    indication: z
      .object({
        condition: Condition.describe('What is treated.'),
        side: Side.describe('Injured side.'),
        weightBearing: WeightBearing.describe('Weight bearing allowed.'),
        weeksSinceSurgery: z.number().int().nullable().describe('Completed weeks since the operation.'),
        weeksSinceOnset: z.number().int().nullable().describe('Completed weeks since onset.'),
      })
      .describe('What the plan treats.'),
    phase: z
      .object({
        id: z.string().describe('Phase id.'),
        label: z.string().describe('Phase name.'),
        stage: Stage.describe('Stage of the four-stage model.'),
        evidenceGrade: EvidenceGrade.describe('Strength of the evidence for BFR in this condition.'),
        clinicianMessage: z.string().describe('For the clinician.'),
        patientMessage: z.string().describe('For the patient.'),
        basis: z.array(RuleRef).describe('The selection rule.'),
      })
      .describe('The phase of recovery the plan is for.'),
    exercises: z.array(PlannedExercise).describe('The session, in order.'),
    schedule: Schedule,
    cautions: z.array(PlanCaution).describe('Must each be acknowledged at approval.'),
    warnings: z.array(PlanWarning).describe('To know; no acknowledgement needed.'),
    omitted: z
      .array(
        z.object({
          exercise: z.string().describe('Exercise id.'),
          side: Side.describe('Side.'),
          reason: z.string().describe('Why it is not in the plan.'),
          measurement: z
            .object({
              limb: Limb.describe('Cuff site.'),
              side: Side.describe('Side.'),
              position: BodyPosition.describe('Body position to measure the LOP in.'),
              cuffWidthCm: z.number().describe('Width of the cuff to measure with, cm.'),
            })
            .nullable()
            .describe(
              'The LOP measurement that would bring the exercise into the plan; null when it was left out for another reason.',
            ),
        }),
      )
      .describe('Exercises of the phase left out, and why.'),
    screening: ScreeningOutcome,
  })
  .meta({
    id: 'Plan',
    description:
      'A BFR plan: phase, exercises with doses, schedule, cautions and warnings, each with the rules behind it.',
  });
export type Plan = z.infer<typeof Plan>;
