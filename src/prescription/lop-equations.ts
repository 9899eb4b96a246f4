import { z } from 'zod';

import type { DataSpec } from '../rules/data-spec';
import { Evidence } from '../rules/rule-file.schema';
import { Limb, Sex } from '../screening/screening.ruleset';
import { BodyPosition } from './indication';

/** What an equation may read; each is taken from the request, never guessed. */
export const Predictor = z.enum(['limbCircumferenceCm', 'systolicBp', 'diastolicBp', 'ageYears', 'sex']);
export type Predictor = z.infer<typeof Predictor>;

const Range = z
  .strictObject({
    min: z.number().describe('Lowest value in the derivation population.'),
    max: z.number().describe('Highest value in the derivation population.'),
  })
  .refine((r) => r.min <= r.max, 'min must not exceed max');

/** Who the equation was derived in, as ranges the patient must fall within for an estimate to be made. */
const PopulationRanges = z.strictObject({
  ageYears: Range.describe('Ages of the derivation sample, years.'),
  sex: z.array(Sex).min(1).describe('Sexes in the derivation sample.'),
  limbCircumferenceCm: Range.describe('Limb circumferences of the derivation sample, cm.'),
  systolicBp: Range.describe('Resting systolic pressures of the derivation sample, mmHg.'),
  evidence: z.array(Evidence).min(1).describe('Where the ranges come from; an unconfirmed range says so.'),
});
export type PopulationRanges = z.infer<typeof PopulationRanges>;

const Term = z.strictObject({
  predictor: Predictor.describe('What the coefficient multiplies.'),
  coefficient: z.number().describe('mmHg per unit of the predictor (per code for sex).'),
});

export const LopEquation = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .describe('Stable id, e.g. `de-queiros-2019`.'),
    name: z.string().trim().min(3),
    enabled: z
      .boolean()
      .describe('Only equations whose coefficients are confirmed in a primary source may be enabled.'),
    disabledReason: z.string().trim().min(10).optional().describe('Why a disabled equation may not be used.'),
    limb: Limb.describe('The limb the equation was derived on.'),
    cuffWidthCm: z
      .number()
      .positive()
      .nullable()
      .describe('Width of the cuff it was derived with; the cuff in use must match.'),
    position: BodyPosition.nullable().describe(
      'Body position during derivation; null when the source does not state it.',
    ),
    method: z.string().min(3).describe('Reference measurement of the derivation study.'),
    population: z.string().trim().min(10).describe('Who the equation was derived in.'),
    populationRanges: PopulationRanges.nullable().describe(
      'The derivation population as ranges; outside them no estimate is made. Required for an enabled equation.',
    ),
    intercept: z.number().nullable(),
    terms: z.array(Term).nullable().describe('Linear terms; null when the coefficients are not known.'),
    sexCodes: z
      .partialRecord(Sex, z.number())
      .optional()
      .describe('Codes used for sex by the equation, e.g. male 1, female 2.'),
    see: z.number().positive().nullable().describe('Standard error of the estimate, mmHg; the range shown is ± 2·SEE.'),
    fit: z.string().min(3).describe('Reported fit (r, R², SEE, RMSE, limits of agreement).'),
    evidence: z.array(Evidence).min(1),
  })
  .superRefine((equation, ctx) => {
    if (equation.enabled) {
      if (
        equation.intercept === null ||
        equation.terms === null ||
        equation.see === null ||
        equation.cuffWidthCm === null
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['enabled'],
          message: 'an enabled equation needs its intercept, terms, SEE and cuff width',
        });
      }
      if (equation.evidence.some((e) => e.level !== 'confirmed')) {
        ctx.addIssue({
          code: 'custom',
          path: ['enabled'],
          message: 'an enabled equation needs every source confirmed',
        });
      }
      if (!equation.populationRanges) {
        ctx.addIssue({
          code: 'custom',
          path: ['populationRanges'],
          message: 'is required for an enabled equation: an estimate is made only inside its population',
        });
      }
      if (equation.terms?.some((t) => t.predictor === 'sex') && !equation.sexCodes) {
        ctx.addIssue({ code: 'custom', path: ['sexCodes'], message: 'is required when a term reads sex' });
      }
    } else if (!equation.disabledReason) {
      ctx.addIssue({ code: 'custom', path: ['disabledReason'], message: 'is required for a disabled equation' });
    }
  })
  .meta({ id: 'LopEquation', description: 'A published equation that estimates LOP, kept as data with its limits.' });
export type LopEquation = z.infer<typeof LopEquation>;

export const LopEquationsFile = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().trim().min(3),
  description: z.string().trim().min(10),
  equations: z
    .array(LopEquation)
    .min(1)
    .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'lists the same equation id twice'),
});
export type LopEquationsFile = z.infer<typeof LopEquationsFile>;

/** `rules-data/lop-equations.data.json`. */
export const lopEquations: DataSpec<LopEquationsFile> = { name: 'lop-equations', schema: LopEquationsFile };

export type PredictorValues = Record<Predictor, number | string | null>;

const RANGE_LABELS = {
  ageYears: ['age', 'y'],
  limbCircumferenceCm: ['limb circumference', 'cm'],
  systolicBp: ['systolic pressure', 'mmHg'],
} as const;

/**
 * Why the patient is outside the population the equation was derived in, one reason per range
 * (a value not recorded is outside too); empty when inside. An equation without ranges is outside.
 */
export function outsidePopulation(equation: LopEquation, values: PredictorValues): string[] {
  const ranges = equation.populationRanges;
  if (!ranges) {
    return [`${equation.id} declares no population ranges`];
  }
  const reasons = (Object.keys(RANGE_LABELS) as Array<keyof typeof RANGE_LABELS>).flatMap((key) => {
    const [label, unit] = RANGE_LABELS[key];
    const value = values[key];
    const { min, max } = ranges[key];
    if (typeof value !== 'number') {
      return [`${label} not recorded (${equation.id} was derived at ${min}-${max} ${unit})`];
    }
    return value < min || value > max
      ? [`${label} ${value} ${unit} is outside ${min}-${max} ${unit}, the range ${equation.id} was derived in`]
      : [];
  });
  const sex = values.sex;
  if (!ranges.sex.includes(sex as z.infer<typeof Sex>)) {
    reasons.push(`sex ${String(sex)} is not in the sample ${equation.id} was derived in (${ranges.sex.join(', ')})`);
  }
  return reasons;
}

/**
 * The equation's estimate for one patient, or the predictor it lacks. Rounded to whole mmHg like a
 * measured LOP.
 */
export function estimateLop(equation: LopEquation, values: PredictorValues): { mmHg: number } | { lacking: Predictor } {
  let total = equation.intercept ?? 0;
  for (const { predictor, coefficient } of equation.terms ?? []) {
    const raw = values[predictor];
    const value = predictor === 'sex' ? equation.sexCodes?.[raw as z.infer<typeof Sex>] : raw;
    if (typeof value !== 'number') {
      return { lacking: predictor };
    }
    total += coefficient * value;
  }
  return { mmHg: Math.round(total) };
}
