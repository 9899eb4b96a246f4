import { z } from 'zod';

import { DomainError, ErrorCode } from '../common/problem';
import type { GoldenSuite } from '../rules/golden-cases';
import { Side } from '../screening/screening.ruleset';
import { generatePlan } from './generate-plan';
import { EvidenceGrade, Stage } from './indication';
import { PrescriptionRequest } from './prescription-request.schema';

const ExpectedExercise = z.strictObject({
  exercise: z.string(),
  side: Side,
  lopPercent: z.number().optional(),
  mmHg: z.number().int().optional(),
  startMmHg: z.number().int().optional(),
  loadPercent1RM: z.number().nullable().optional(),
  kg: z.number().nullable().optional(),
  sets: z.array(z.number().int()).nullable().optional(),
  restBetweenSetsSeconds: z.number().int().nullable().optional(),
  reperfusionSeconds: z.number().int().optional(),
  bouts: z
    .strictObject({ count: z.number().int(), minutes: z.number(), restSeconds: z.number().int() })
    .nullable()
    .optional(),
  /** % LOP of each session of the pressure ramp, from the first. */
  ramp: z.array(z.number()).optional(),
});

const PrescriptionCase = z.strictObject({
  name: z.string().trim().min(3).describe('The vignette, as a sentence.'),
  generatedOn: z.iso.date(),
  request: PrescriptionRequest,
  expect: z.strictObject({
    /** `plan`, or the error code of the refusal. */
    outcome: z.union([z.literal('plan'), z.enum(ErrorCode)]),
    phase: z.string().optional(),
    stage: Stage.optional(),
    evidenceGrade: EvidenceGrade.optional(),
    /** Exactly these exercises on these sides, in this order; dose fields are checked when given. */
    exercises: z.array(ExpectedExercise).optional(),
    /** Exactly these caution ids. */
    cautions: z.array(z.string()).optional(),
    /** At least these warning rule ids. */
    warnings: z.array(z.string()).optional(),
    sessionsPerWeek: z.strictObject({ min: z.number().int(), max: z.number().int() }).optional(),
    programWeeks: z.number().int().optional(),
    /** Exactly these exercises left out, in this order, with the LOP position each needs measured (null when left out for another reason). */
    omitted: z.array(z.strictObject({ exercise: z.string(), side: Side, position: z.string().nullable() })).optional(),
    /** For a refusal: words the detail must contain. */
    detailContains: z.string().optional(),
  }),
});
type PrescriptionCase = z.infer<typeof PrescriptionCase>;

function differ(label: string, expected: unknown, actual: unknown): string[] {
  return JSON.stringify(expected) === JSON.stringify(actual)
    ? []
    : [`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/**
 * Clinical vignettes: a request as the API takes it, and the phase, exercises, doses and cautions
 * the plan must have, or the refusal it must meet. Every plan passes the safety envelope on the way.
 */
export const prescriptionGoldenSuite: GoldenSuite<PrescriptionCase> = {
  name: 'prescription',
  case: PrescriptionCase,
  async check(catalogue, goldenCase) {
    const { expect } = goldenCase;
    let generated;
    try {
      generated = await generatePlan(catalogue, goldenCase.request, goldenCase.generatedOn);
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error;
      }
      return [
        ...differ('outcome', expect.outcome, error.code),
        ...(expect.outcome === error.code ? [] : [`  (${error.detail})`]),
        ...(expect.detailContains && !error.detail.includes(expect.detailContains)
          ? [`detail: "${error.detail}" does not contain "${expect.detailContains}"`]
          : []),
      ];
    }
    const { plan } = generated;
    const exercises = plan.exercises.map((e) => ({
      exercise: e.exercise.id,
      side: e.site.side,
      lopPercent: e.dose.pressure.lopPercent,
      mmHg: e.dose.pressure.mmHg,
      startMmHg: e.dose.pressure.startMmHg,
      loadPercent1RM: e.dose.load.percent1RM,
      kg: e.dose.load.kg,
      sets: e.dose.sets.value,
      restBetweenSetsSeconds: e.dose.restBetweenSets.seconds,
      reperfusionSeconds: e.dose.reperfusion.seconds,
      bouts: e.dose.bouts.value,
      ramp: e.dose.pressure.ramp.map((r) => r.lopPercent),
    }));
    const warnings = plan.warnings.map((w) => w.ruleId);
    return [
      ...differ('outcome', expect.outcome, 'plan'),
      ...(expect.phase ? differ('phase', expect.phase, plan.phase.id) : []),
      ...(expect.stage ? differ('stage', expect.stage, plan.phase.stage) : []),
      ...(expect.evidenceGrade ? differ('evidenceGrade', expect.evidenceGrade, plan.phase.evidenceGrade) : []),
      ...(expect.exercises
        ? [
            ...differ(
              'exercises',
              expect.exercises.map((e) => `${e.exercise} ${e.side}`),
              exercises.map((e) => `${e.exercise} ${e.side}`),
            ),
            ...expect.exercises.flatMap((wanted, i) => {
              const actual = exercises[i] as Record<string, unknown> | undefined;
              if (!actual || actual.exercise !== wanted.exercise) {
                return [];
              }
              return Object.entries(wanted)
                .filter(([key]) => key !== 'exercise' && key !== 'side')
                .flatMap(([key, value]) => differ(`${wanted.exercise} ${wanted.side} ${key}`, value, actual[key]));
            }),
          ]
        : []),
      ...(expect.cautions
        ? differ('cautions', [...expect.cautions].sort(), plan.cautions.map((c) => c.id).sort())
        : []),
      ...(expect.warnings ?? [])
        .filter((id) => !warnings.includes(id))
        .map((id) => `warnings: expected ${id}, it is not there`),
      ...(expect.sessionsPerWeek
        ? differ('sessionsPerWeek', expect.sessionsPerWeek, plan.schedule.sessionsPerWeek.value)
        : []),
      ...(expect.programWeeks ? differ('programWeeks', expect.programWeeks, plan.schedule.programWeeks.value) : []),
      ...(expect.omitted
        ? differ(
            'omitted',
            expect.omitted,
            plan.omitted.map((o) => ({
              exercise: o.exercise,
              side: o.side,
              position: o.measurement?.position ?? null,
            })),
          )
        : []),
    ];
  },
};
