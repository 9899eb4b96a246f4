import type { CustomOperator } from './operators';

/**
 * json-rules-engine's operators and operator decorators as the compiler evaluates them: the same
 * validators and comparisons, resolved once per condition at load.
 */

export type Comparison = (factValue: unknown, compared: unknown) => unknown;

export interface Operator {
  validate: (factValue: unknown) => boolean;
  compare: Comparison;
}

interface Decorator {
  validate: (factValue: unknown) => boolean;
  apply: (factValue: unknown, compared: unknown, next: Comparison) => unknown;
}

export const anyValue = () => true;
// The engine's own test for its numeric operators; for a number it comes down to "not NaN", without
// the string the general test makes on every comparison.
const numeric = (factValue: unknown) =>
  typeof factValue === 'number'
    ? !Number.isNaN(factValue)
    : Number.parseFloat(factValue as string).toString() !== 'NaN';

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's operators are untyped and throw on what they cannot compare */
export const BUILT_IN: Record<string, Operator> = {
  equal: { validate: anyValue, compare: (a, b) => a === b },
  notEqual: { validate: anyValue, compare: (a, b) => a !== b },
  in: { validate: anyValue, compare: (a, b: any) => b.indexOf(a) > -1 },
  notIn: { validate: anyValue, compare: (a, b: any) => b.indexOf(a) === -1 },
  contains: { validate: Array.isArray, compare: (a: any, b) => a.indexOf(b) > -1 },
  doesNotContain: { validate: Array.isArray, compare: (a: any, b) => a.indexOf(b) === -1 },
  lessThan: { validate: numeric, compare: (a: any, b: any) => a < b },
  lessThanInclusive: { validate: numeric, compare: (a: any, b: any) => a <= b },
  greaterThan: { validate: numeric, compare: (a: any, b: any) => a > b },
  greaterThanInclusive: { validate: numeric, compare: (a: any, b: any) => a >= b },
};

const DECORATORS: Record<string, Decorator> = {
  someFact: { validate: Array.isArray, apply: (f: any, v, next) => f.some((item: unknown) => next(item, v)) },
  someValue: { validate: anyValue, apply: (f, v: any, next) => v.some((item: unknown) => next(f, item)) },
  everyFact: { validate: Array.isArray, apply: (f: any, v, next) => f.every((item: unknown) => next(item, v)) },
  everyValue: { validate: anyValue, apply: (f, v: any, next) => v.every((item: unknown) => next(f, item)) },
  swap: { validate: anyValue, apply: (f, v, next) => next(v, f) },
  not: { validate: anyValue, apply: (f, v, next) => !next(f, v) },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The comparison a custom operator makes; the engine registers the same function. */
export function customComparison(op: CustomOperator): Comparison {
  return (factValue, compared) => {
    const fact = op.fact.safeParse(factValue);
    if (!fact.success) {
      throw new Error(`operator ${op.name} cannot compare ${JSON.stringify(factValue)}`);
    }
    return op.evaluate(fact.data, compared);
  };
}

/** Resolves `someFact:in` the way the engine's operator map does; undefined when any part is unknown. */
export function resolveOperator(name: string, operators: Record<string, Operator>): Comparison | undefined {
  const decorators: Decorator[] = [];
  let base = name;
  while (!Object.hasOwn(operators, base)) {
    const colon = base.indexOf(':');
    const decorator = colon > 0 ? base.slice(0, colon) : '';
    if (!Object.hasOwn(DECORATORS, decorator)) {
      return undefined;
    }
    decorators.unshift(DECORATORS[decorator]);
    base = base.slice(colon + 1);
  }
  const op = operators[base];
  // `true && compare(…)` is compare(…): skip the validator that accepts everything.
  let evaluate: Comparison = op.validate === anyValue ? op.compare : (f, v) => op.validate(f) && op.compare(f, v);
  for (const decorator of decorators) {
    const next = evaluate;
    evaluate = (f, v) => decorator.validate(f) && decorator.apply(f, v, next);
  }
  return evaluate;
}
