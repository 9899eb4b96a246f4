import { z } from 'zod';

/** A comparison that rule files may use besides json-rules-engine's built-in operators. */
export interface CustomOperator<F = unknown, V = unknown> {
  name: string;
  description: string;
  /** The fact values the operator understands; anything else stops the evaluation. */
  fact: z.ZodType<F>;
  /** The comparand a rule must give; checked when the rule file loads. */
  value: z.ZodType<V>;
  evaluate(fact: F, value: V): boolean;
}

export const BUILT_IN_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

/** json-rules-engine decorators, written before the operator: `someFact:in`, `not:equal`. */
export const OPERATOR_DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'] as const;

const Band = z
  .strictObject({
    atLeast: z.number().optional().describe('Lowest value in the band (inclusive).'),
    below: z.number().optional().describe('First value above the band (exclusive).'),
  })
  .refine((band) => band.atLeast !== undefined || band.below !== undefined, 'give atLeast, below or both')
  .refine(
    (band) => band.atLeast === undefined || band.below === undefined || band.atLeast < band.below,
    'atLeast must be below "below"',
  );

/**
 * A number inside a band such as a blood-pressure or BMI range: `{ "atLeast": 160, "below": 180 }`.
 * Bands read the way clinical tables are written (160-179 means at least 160, below 180). A value
 * that is not known (null) is in no band: the ruleset flags it as missing with a rule of its own.
 */
const inBand: CustomOperator<number | null, z.infer<typeof Band>> = {
  name: 'inBand',
  description: 'True when the number is at least `atLeast` and below `below`.',
  fact: z.number().nullable(),
  value: Band,
  evaluate: (value, band) =>
    value !== null &&
    (band.atLeast === undefined || value >= band.atLeast) &&
    (band.below === undefined || value < band.below),
};

export const CUSTOM_OPERATORS: readonly CustomOperator[] = [inBand as CustomOperator];

export interface ParsedOperator {
  decorators: string[];
  base: string;
  custom?: CustomOperator;
}

/** Splits `someFact:in` into its decorators and base operator; undefined when any part is unknown. */
export function parseOperator(
  operator: string,
  custom: readonly CustomOperator[] = CUSTOM_OPERATORS,
): ParsedOperator | undefined {
  const parts = operator.split(':');
  const base = parts.pop() as string;
  const decorators = parts;
  if (!decorators.every((d) => (OPERATOR_DECORATORS as readonly string[]).includes(d))) {
    return undefined;
  }
  const customOperator = custom.find((op) => op.name === base);
  if (!customOperator && !(BUILT_IN_OPERATORS as readonly string[]).includes(base)) {
    return undefined;
  }
  return { decorators, base, custom: customOperator };
}

export function knownOperatorNames(custom: readonly CustomOperator[] = CUSTOM_OPERATORS): string[] {
  return [...BUILT_IN_OPERATORS, ...custom.map((op) => op.name)];
}
