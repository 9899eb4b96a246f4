import type { CustomOperator } from './operators';
import type { RuleCondition, RuleDefinition } from './rule-file.schema';

/**
 * Compiles json-rules-engine rules into synchronous closures that give the same outcome and the
 * same trace as the engine (which stays the reference: the differential tests and `rules:check`
 * run both). Facts are read by pre-split paths and every operator is resolved once, at load.
 *
 * What the engine does that the compiler reproduces exactly:
 * - every condition of a group is evaluated (conditions of one rule share one priority, so the
 *   engine runs them together and never short-circuits), and any error stops the whole run;
 * - a group of one condition takes that condition's own result, a group of none is true;
 * - operators are `validator(fact) && compare(fact, value)`, decorators wrap them outermost first.
 * Anything else the rule files could say (condition references, condition priorities, fact
 * params) is refused at load rather than evaluated differently.
 */

/** A rule the compiler cannot translate exactly; the rules do not load. */
export class RuleCompileError extends Error {
  constructor(
    readonly ruleId: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuleCompileError';
  }
}

export type Facts = Readonly<Record<string, unknown>>;

type Comparison = (factValue: unknown, compared: unknown) => unknown;

interface Operator {
  validate: (factValue: unknown) => boolean;
  compare: Comparison;
}

interface Decorator {
  validate: (factValue: unknown) => boolean;
  apply: (factValue: unknown, compared: unknown, next: Comparison) => unknown;
}

const anyValue = () => true;
// The engine's own test for its numeric operators.
const numeric = (factValue: unknown) => Number.parseFloat(factValue as string).toString() !== 'NaN';

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's operators are untyped and throw on what they cannot compare */
const BUILT_IN: Record<string, Operator> = {
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
function resolveOperator(name: string, operators: Record<string, Operator>): Comparison | undefined {
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

/** Resolves `a.b.c` in a fact value; a missing step is an error, as in the engine's path resolver. */
function pathReader(path: string): (value: object) => unknown {
  const keys = path.split('.');
  return (value) => {
    let current: unknown = value;
    for (const key of keys) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
        throw new Error(`path "${path}" does not exist in the fact value`);
      }
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
}

function factReader(fact: string, path: unknown, ruleId: string): (facts: Facts) => unknown {
  if (path !== undefined && typeof path !== 'string') {
    throw new RuleCompileError(ruleId, `the path of fact "${fact}" is not a string`);
  }
  const resolve = path ? pathReader(path) : undefined;
  return (facts) => {
    if (!Object.hasOwn(facts, fact)) {
      throw new Error(`Undefined fact: ${fact}`);
    }
    const value = facts[fact];
    if (typeof value === 'function') {
      throw new Error(`fact "${fact}" is a function; facts must be values`);
    }
    // Like the engine, a path applies only to an object; any other value is compared as it is.
    return resolve && value !== null && typeof value === 'object' ? resolve(value) : value;
  };
}

/** What the trace says about a comparison besides its values: fixed by the rule file. */
export interface CompiledCondition {
  name: string;
  fact: string;
  path?: string;
  operator: string;
}

/**
 * The values of one evaluation, three slots per comparison (fact value, compared value, raw
 * result), so that a run allocates one array and the trace is built only when it is read.
 */
export type ConditionValues = unknown[];

/** Evaluates a condition, records its comparisons' values and returns the engine's raw result. */
type Evaluate = (facts: Facts, values: ConditionValues) => unknown;

const GROUP_KEYS = ['all', 'any', 'not'];
const LEAF_KEYS = new Set(['name', 'fact', 'path', 'operator', 'value']);

interface Compiling {
  ruleId: string;
  operators: Record<string, Operator>;
  conditions: CompiledCondition[];
}

/** A condition as a child of a group: a group answers true or false, a comparison its raw result. */
function compileChild(node: RuleCondition, context: Compiling): Evaluate {
  if (GROUP_KEYS.some((key) => Object.hasOwn(node, key))) {
    const group = compileGroup(node, context);
    return (facts, values) => group(facts, values) === true;
  }
  return compileLeaf(node, context);
}

function compileGroup(node: RuleCondition, context: Compiling): Evaluate {
  const groups = GROUP_KEYS.filter((key) => Object.hasOwn(node, key));
  const extra = Object.keys(node).filter((key) => !GROUP_KEYS.includes(key) && key !== 'name');
  if (groups.length !== 1 || extra.length > 0) {
    throw new RuleCompileError(context.ruleId, `a condition group must have exactly one of all, any or not and nothing else (has ${Object.keys(node).join(', ')})`);
  }
  if (node.not !== undefined) {
    if (Array.isArray(node.not) || node.not === null || typeof node.not !== 'object') {
      throw new RuleCompileError(context.ruleId, '"not" must hold one condition');
    }
    const child = compileChild(node.not, context);
    return (facts, values) => !child(facts, values);
  }
  const list = node.all ?? node.any;
  if (!Array.isArray(list)) {
    throw new RuleCompileError(context.ruleId, `"${groups[0]}" must be a list of conditions`);
  }
  const children = list.map((child) => compileChild(child, context));
  if (children.length === 0) {
    return () => true;
  }
  if (children.length === 1) {
    return children[0];
  }
  const every = node.all !== undefined;
  return (facts, values) => {
    let held = 0;
    for (const child of children) {
      if (child(facts, values) === true) {
        held++;
      }
    }
    return every ? held === children.length : held > 0;
  };
}

function compileLeaf(node: RuleCondition, context: Compiling): Evaluate {
  const { ruleId } = context;
  const unknownKeys = Object.keys(node).filter((key) => !LEAF_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new RuleCompileError(ruleId, `the compiler does not know ${unknownKeys.map((k) => `"${k}"`).join(', ')} in a condition`);
  }
  for (const key of ['fact', 'operator', 'value'] as const) {
    if (!Object.hasOwn(node, key)) {
      throw new RuleCompileError(ruleId, `a comparison needs "${key}"`);
    }
  }
  if (typeof node.fact !== 'string' || typeof node.operator !== 'string') {
    throw new RuleCompileError(ruleId, 'a comparison needs a fact and an operator named by strings');
  }
  const compare = resolveOperator(node.operator, context.operators);
  if (!compare) {
    throw new RuleCompileError(ruleId, `unknown operator "${node.operator}"`);
  }
  const readFact = factReader(node.fact, node.path, ruleId);
  const value = node.value;
  const slot = 3 * context.conditions.length;
  context.conditions.push({ name: node.name as string, fact: node.fact, ...(node.path ? { path: node.path } : {}), operator: node.operator });
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, 'fact')) {
    // The common case, a fact compared with a value the rule gives: one closure less per comparison.
    return (facts, values) => {
      const factValue = readFact(facts);
      const result = compare(factValue, value);
      values[slot] = factValue;
      values[slot + 1] = value;
      values[slot + 2] = result;
      return result;
    };
  }
  const reference = value as { fact: unknown; path?: unknown };
  if (typeof reference.fact !== 'string') {
    throw new RuleCompileError(ruleId, 'a fact reference needs the fact named by a string');
  }
  const readCompared = factReader(reference.fact, reference.path, ruleId);
  return (facts, values) => {
    const comparedValue = readCompared(facts);
    const factValue = readFact(facts);
    const result = compare(factValue, comparedValue);
    values[slot] = factValue;
    values[slot + 1] = comparedValue !== undefined ? comparedValue : value;
    values[slot + 2] = result;
    return result;
  };
}

export interface CompiledRule {
  rule: RuleDefinition;
  event: { type: string; params: Record<string, unknown> };
  /** The rule's comparisons are `conditions[first]` up to `conditions[first + count - 1]`. */
  first: number;
  count: number;
  /** The engine's raw result of the rule; it fires when that is exactly true. */
  evaluate: Evaluate;
}

export interface CompiledRuleset {
  /** In file order. */
  rules: CompiledRule[];
  /** Every comparison of every rule, in file order. */
  conditions: CompiledCondition[];
}

/** Compiles every rule of a ruleset; throws RuleCompileError on anything it cannot reproduce exactly. */
export function compileRules(rules: readonly RuleDefinition[], custom: readonly CustomOperator[]): CompiledRuleset {
  const operators: Record<string, Operator> = { ...BUILT_IN };
  for (const op of custom) {
    operators[op.name] = { validate: anyValue, compare: customComparison(op) };
  }
  const conditions: CompiledCondition[] = [];
  const compiled = rules.map((rule): CompiledRule => {
    const root = rule.conditions;
    if (root === null || typeof root !== 'object' || !GROUP_KEYS.some((key) => Object.hasOwn(root, key))) {
      throw new RuleCompileError(rule.id, 'the conditions must start with all, any or not');
    }
    const first = conditions.length;
    const evaluate = compileGroup(root, { ruleId: rule.id, operators, conditions });
    return { rule, event: { type: rule.event.type, params: rule.event.params }, first, count: conditions.length - first, evaluate };
  });
  return { rules: compiled, conditions };
}
