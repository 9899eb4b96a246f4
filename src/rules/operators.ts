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

const mmHg = z.number().int().min(0).max(400);
const BloodPressure = z.strictObject({ systolic: mmHg, diastolic: mmHg });

/**
 * Blood-pressure bands are crossed when either component reaches its threshold (e.g. 180/110 means
 * systolic ≥ 180 or diastolic ≥ 110). A reading that was not recorded (null) never matches: the
 * ruleset must flag it as missing with a rule of its own.
 */
const bloodPressureAtOrAbove: CustomOperator<z.infer<typeof BloodPressure> | null, z.infer<typeof BloodPressure>> = {
  name: 'bloodPressureAtOrAbove',
  description: 'True when systolic or diastolic pressure reaches the given threshold.',
  fact: BloodPressure.nullable(),
  value: BloodPressure,
  evaluate: (reading, threshold) =>
    reading !== null && (reading.systolic >= threshold.systolic || reading.diastolic >= threshold.diastolic),
};

export const CUSTOM_OPERATORS: readonly CustomOperator[] = [bloodPressureAtOrAbove as CustomOperator];

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
