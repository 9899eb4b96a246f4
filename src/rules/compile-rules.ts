import { anyValue, BUILT_IN, customComparison, type Operator, resolveOperator } from './engine-operators';
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
 * The values of one rule's evaluation, three slots per comparison (fact value, compared value, raw
 * result), so that a rule's run allocates one array and the trace is built only when it is read.
 */
export type ConditionValues = unknown[];

/**
 * Evaluates a condition and returns the engine's raw result; given `values`, it also records its
 * comparisons' values there. A run records nothing: the values of a rule are recorded when its
 * conditions are read, by evaluating it again on the same facts.
 */
type Evaluate = (facts: Facts, values: ConditionValues | undefined) => unknown;

const GROUP_KEYS = ['all', 'any', 'not'];
const LEAF_KEYS = new Set(['name', 'fact', 'path', 'operator', 'value']);

interface Compiling {
  ruleId: string;
  operators: Record<string, Operator>;
  conditions: CompiledCondition[];
  /** The index in `conditions` of the rule's first comparison. */
  first: number;
  /** Facts the rule reads. */
  facts: Set<string>;
  /** False once a comparison of the rule could throw on a fact value that is there. */
  throwFree: boolean;
}

/** Built-in operators that throw on no fact value, given a value of the kind the loader checks. */
const THROW_FREE_OPERATORS = new Set([
  'equal',
  'notEqual',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
]);

/**
 * Whether a comparison can throw on a fact value that is present and not a function: only a
 * path, a fact reference, a custom operator (it refuses what its schema does not take), `swap`,
 * a list decorator or `in` with a value that is no list can.
 */
function comparisonCanThrow(node: RuleCondition, operators: Record<string, Operator>): boolean {
  if (
    node.path !== undefined ||
    (node.value !== null && typeof node.value === 'object' && !Array.isArray(node.value))
  ) {
    return true;
  }
  const parts = (node.operator as string).split(':');
  const base = parts.pop() as string;
  if (
    parts.some((decorator) => decorator !== 'not' && decorator !== 'someFact' && decorator !== 'everyFact') ||
    !Object.hasOwn(BUILT_IN, base) ||
    operators[base] !== BUILT_IN[base]
  ) {
    return true;
  }
  if (base === 'in' || base === 'notIn') {
    return !Array.isArray(node.value);
  }
  return !THROW_FREE_OPERATORS.has(base);
}

/** A plain value a comparison can hold `===` to. */
const isPlain = (value: unknown) => value === null || typeof value !== 'object';

/**
 * The comparisons a rule cannot fire without: those reached from its conditions through `all`
 * alone. Of these, the fact-equals-value and fact-in-list ones with plain values, as the values
 * the fact must hold.
 */
function gatesOf(node: RuleCondition): Array<{ fact: string; values: unknown[] }> {
  if (node.all === undefined) {
    return [];
  }
  return node.all.flatMap((child) => {
    if (child.all !== undefined) return gatesOf(child);
    if (
      child.any !== undefined ||
      child.not !== undefined ||
      child.path !== undefined ||
      typeof child.fact !== 'string'
    )
      return [];
    if (child.operator === 'equal' && isPlain(child.value)) return [{ fact: child.fact, values: [child.value] }];
    if (child.operator === 'in' && Array.isArray(child.value) && child.value.every(isPlain))
      return [{ fact: child.fact, values: child.value }];
    return [];
  });
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
    throw new RuleCompileError(
      context.ruleId,
      `a condition group must have exactly one of all, any or not and nothing else (has ${Object.keys(node).join(', ')})`,
    );
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
    throw new RuleCompileError(
      ruleId,
      `the compiler does not know ${unknownKeys.map((k) => `"${k}"`).join(', ')} in a condition`,
    );
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
  context.facts.add(node.fact);
  if (comparisonCanThrow(node, context.operators)) {
    context.throwFree = false;
  }
  const value = node.value;
  const slot = 3 * (context.conditions.length - context.first);
  context.conditions.push({
    name: node.name as string,
    fact: node.fact,
    ...(node.path ? { path: node.path } : {}),
    operator: node.operator,
  });
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, 'fact')) {
    // The common case, a fact compared with a value the rule gives: one closure less per comparison.
    return (facts, values) => {
      const factValue = readFact(facts);
      const result = compare(factValue, value);
      if (values !== undefined) {
        values[slot] = factValue;
        values[slot + 1] = value;
        values[slot + 2] = result;
      }
      return result;
    };
  }
  const reference = value as { fact: unknown; path?: unknown };
  if (typeof reference.fact !== 'string') {
    throw new RuleCompileError(ruleId, 'a fact reference needs the fact named by a string');
  }
  const readCompared = factReader(reference.fact, reference.path, ruleId);
  context.facts.add(reference.fact);
  return (facts, values) => {
    const comparedValue = readCompared(facts);
    const factValue = readFact(facts);
    const result = compare(factValue, comparedValue);
    if (values !== undefined) {
      values[slot] = factValue;
      values[slot + 1] = comparedValue !== undefined ? comparedValue : value;
      values[slot + 2] = result;
    }
    return result;
  };
}

export interface CompiledRule {
  rule: RuleDefinition;
  event: { type: string; params: Record<string, unknown> };
  /** The rule's comparisons are `conditions[first]` up to `conditions[first + count - 1]`. */
  first: number;
  count: number;
  /** The engine's raw result of the rule, its comparisons' values recorded in `values` (3 × `count`) when given; it fires when that is exactly true. */
  evaluate: Evaluate;
  /** The facts the rule reads. */
  facts: string[];
  /**
   * No comparison of the rule can throw on facts that are all present and none a function: the
   * rule can then be left out of a run it cannot fire in without changing whether the run fails.
   */
  throwFree: boolean;
  /** The most selective fact value the rule cannot fire without, if it has one: the rule fires only when `fact` holds one of `values`. */
  gate?: { fact: string; values: unknown[] };
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
    const context: Compiling = { ruleId: rule.id, operators, conditions, first, facts: new Set(), throwFree: true };
    const evaluate = compileGroup(root, context);
    const gate = gatesOf(root).reduce<{ fact: string; values: unknown[] } | undefined>(
      (best, g) => (best === undefined || g.values.length < best.values.length ? g : best),
      undefined,
    );
    return {
      rule,
      event: { type: rule.event.type, params: rule.event.params },
      first,
      count: conditions.length - first,
      evaluate,
      facts: [...context.facts],
      throwFree: context.throwFree,
      ...(gate ? { gate } : {}),
    };
  });
  return { rules: compiled, conditions };
}
