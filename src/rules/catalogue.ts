import { Engine } from 'json-rules-engine';
import type { z } from 'zod';

import { type CompiledRuleset, type ConditionValues } from './compile-rules';
import { customComparison } from './engine-operators';
import type { DataSpec } from './data-spec';
import { type FactCheck, factCheck } from './fact-check';
import type { CustomOperator } from './operators';
import type { RuleCondition, RuleDefinition } from './rule-file.schema';
import type { RulesetSpec } from './ruleset-spec';

/** One comparison of a rule as it was evaluated. */
export interface ConditionTrace {
  name: string;
  fact: string;
  path?: string;
  operator: string;
  /** The fact's value (after the path), as the engine read it. */
  factValue: unknown;
  /** The value it was compared with (another fact's value when the rule compares two facts). */
  comparedValue: unknown;
  /** null when the engine did not need to evaluate the condition. */
  result: boolean | null;
}

export interface RuleTrace {
  ruleId: string;
  version: number;
  fired: boolean;
  conditions: ConditionTrace[];
}

export interface FiredRule {
  rule: RuleDefinition;
  event: { type: string; params: Record<string, unknown> };
}

export interface Evaluation {
  ruleset: string;
  rulesetVersion: string;
  /** The rules whose conditions held, in the order of the rule file. */
  fired: FiredRule[];
  /** Every rule of the ruleset, fired or not, with each named condition; built when first read. */
  readonly trace: RuleTrace[];
  /** The named conditions of one rule as evaluated (its entry of the trace). */
  conditionsOf(ruleId: string): ConditionTrace[];
}

export interface LoadedRuleset {
  spec: RulesetSpec;
  file: string;
  title: string;
  description: string;
  rules: RuleDefinition[];
  /** The rules as json-rules-engine runs them: the reference the compiled rules are checked against. */
  engine: Engine;
  /** The same rules compiled to closures: what the service runs. */
  compiled: CompiledRuleset;
  facts: z.ZodType<Record<string, unknown>>;
}

/** The facts handed to a ruleset did not match its declared facts: a defect in the caller. */
export class FactsInvalidError extends Error {
  constructor(
    readonly ruleset: string,
    readonly problems: string[],
  ) {
    super(`Facts for the ${ruleset} ruleset are invalid: ${problems.join('; ')}`);
    this.name = 'FactsInvalidError';
  }
}

/**
 * Resolves `a.b.c` against a fact value. A missing step is an error rather than `undefined`: a
 * comparison against a value that is not there would silently be false, and unknown is not "no".
 */
export function dottedPath(value: object, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
      throw new Error(`path "${path}" does not exist in the fact value`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Builds the json-rules-engine Engine of one ruleset; called once at start. */
export function buildEngine(rules: readonly RuleDefinition[], operators: readonly CustomOperator[]): Engine {
  const engine = new Engine([], {
    allowUndefinedFacts: false,
    allowUndefinedConditions: false,
    pathResolver: dottedPath,
  });
  for (const op of operators) {
    engine.addOperator(op.name, customComparison(op) as (factValue: unknown, compared: unknown) => boolean);
  }
  for (const rule of rules) {
    engine.addRule({
      name: rule.id,
      priority: rule.priority ?? 1,
      conditions: rule.conditions as never,
      event: rule.event,
    });
  }
  return engine;
}

interface EvaluatedCondition extends RuleCondition {
  factResult?: unknown;
  valueResult?: unknown;
  result?: boolean;
}

function traceConditions(node: EvaluatedCondition): ConditionTrace[] {
  const children = node.all ?? node.any ?? (node.not ? [node.not] : undefined);
  if (children) {
    return children.flatMap((child) => traceConditions(child as EvaluatedCondition));
  }
  return [
    {
      name: node.name as string,
      fact: node.fact as string,
      ...(node.path ? { path: node.path } : {}),
      operator: node.operator as string,
      factValue: node.factResult,
      comparedValue: node.valueResult !== undefined ? node.valueResult : node.value,
      result: node.result ?? null,
    },
  ];
}

/**
 * Which rules of a ruleset a run must evaluate: each rule that has a gate (a fact value it cannot
 * fire without) and whose comparisons cannot throw is evaluated only when its gate fact holds one
 * of the gate's values; every other rule, always. A rule left out cannot have fired and could not
 * have failed the run; it is evaluated when the trace or its conditions are read, so the trace is
 * the same.
 */
interface Partition {
  /** 1 for each rule every run evaluates, in file order. */
  always: Uint8Array;
  /** For each gate fact, the rules each of its values lets in. */
  gates: Array<{ fact: string; rules: Map<unknown, number[]> }>;
}

function partitionOf(ruleset: LoadedRuleset): Partition {
  const { rules } = ruleset.compiled;
  const always = new Uint8Array(rules.length).fill(1);
  const gates = new Map<string, Map<unknown, number[]>>();
  // A fact a validated run always holds: its schema refuses a missing value and a function.
  const alwaysPresent = (fact: string) => {
    const schema = ruleset.spec.facts[fact]?.schema;
    return schema !== undefined && !schema.safeParse(undefined).success && !schema.safeParse(() => undefined).success;
  };
  rules.forEach((rule, i) => {
    if (rule.gate === undefined || !rule.throwFree || !rule.facts.every(alwaysPresent)) {
      return;
    }
    always[i] = 0;
    const byValue = gates.get(rule.gate.fact) ?? new Map<unknown, number[]>();
    gates.set(rule.gate.fact, byValue);
    for (const value of new Set(rule.gate.values)) {
      byValue.set(value, [...(byValue.get(value) ?? []), i]);
    }
  });
  return { always, gates: [...gates].map(([fact, byValue]) => ({ fact, rules: byValue })) };
}

/**
 * A run of compiled rules. A class rather than an object literal with a getter: V8 gives every such
 * literal its own accessor, which keeps each run's values alive through young-generation collections
 * and made garbage collection most of a screening's time.
 */
class CompiledEvaluation implements Evaluation {
  private builtTrace: RuleTrace[] | undefined;
  /** Each rule's recorded comparisons, once read; made on the first read, as most runs are never read. */
  private values: Array<ConditionValues | undefined> | undefined;

  constructor(
    readonly ruleset: string,
    readonly rulesetVersion: string,
    readonly fired: FiredRule[],
    private readonly compiled: CompiledRuleset,
    /** The run's facts, in an object no caller holds, so the comparisons recorded later are the run's. */
    private readonly facts: Record<string, unknown>,
    private readonly firedFlags: Uint8Array,
  ) {}

  get trace(): RuleTrace[] {
    this.builtTrace ??= this.compiled.rules.map((compiled, i) => ({
      ruleId: compiled.rule.id,
      version: compiled.rule.version,
      fired: this.firedFlags[i] === 1,
      conditions: this.conditionsAt(i),
    }));
    return this.builtTrace;
  }

  conditionsOf(ruleId: string): ConditionTrace[] {
    const i = this.compiled.rules.findIndex((compiled) => compiled.rule.id === ruleId);
    return i < 0 ? [] : this.conditionsAt(i);
  }

  private conditionsAt(i: number): ConditionTrace[] {
    const { rules, conditions } = this.compiled;
    const { first, count } = rules[i];
    this.values ??= new Array(rules.length);
    let ruleValues = this.values[i];
    if (ruleValues === undefined) {
      ruleValues = new Array(3 * count);
      rules[i].evaluate(this.facts, ruleValues);
      this.values[i] = ruleValues;
    }
    const traced: ConditionTrace[] = new Array(count);
    for (let c = 0; c < count; c++) {
      const slot = 3 * c;
      const { name, fact, path, operator } = conditions[first + c];
      const result = (ruleValues[slot + 2] ?? null) as boolean | null;
      traced[c] = path
        ? { name, fact, path, operator, factValue: ruleValues[slot], comparedValue: ruleValues[slot + 1], result }
        : { name, fact, operator, factValue: ruleValues[slot], comparedValue: ruleValues[slot + 1], result };
    }
    return traced;
  }
}

/** The loaded, validated rules of every ruleset, and the one way to evaluate them. */
export class RuleCatalogue {
  private readonly ruleIndex = new Map<string, { ruleset: string; rule: RuleDefinition }>();
  private readonly factChecks = new Map<string, FactCheck>();
  private readonly partitions = new Map<string, Partition>();

  constructor(
    /** sha256 of the canonical content of rules-data/. */
    readonly version: string,
    private readonly rulesets: ReadonlyMap<string, LoadedRuleset>,
    /** The parsed content of every data file the version covers, keyed by file name. */
    readonly content: Readonly<Record<string, unknown>>,
    private readonly tables: ReadonlyMap<string, unknown> = new Map(),
  ) {
    for (const [name, ruleset] of rulesets) {
      this.factChecks.set(name, factCheck(ruleset.spec, ruleset.facts));
      this.partitions.set(name, partitionOf(ruleset));
      for (const rule of ruleset.rules) {
        this.ruleIndex.set(rule.id, { ruleset: name, rule });
      }
    }
  }

  get rulesetNames(): string[] {
    return [...this.rulesets.keys()];
  }

  ruleset(name: string): LoadedRuleset | undefined {
    return this.rulesets.get(name);
  }

  /** Every rule, ruleset by ruleset, in file order. */
  allRules(): Array<{ ruleset: string; rule: RuleDefinition }> {
    return [...this.ruleIndex.values()];
  }

  rule(id: string): { ruleset: string; rule: RuleDefinition } | undefined {
    return this.ruleIndex.get(id);
  }

  /** A validated data file (`<name>.data.json`), typed by the spec it was loaded with. */
  table<T>(spec: DataSpec<T>): T {
    if (!this.tables.has(spec.name)) {
      throw new Error(`no data file named "${spec.name}" was loaded`);
    }
    return this.tables.get(spec.name) as T;
  }

  /** Evaluates a ruleset with its compiled rules: synchronous, the same outcome and trace as the engine. */
  evaluate(rulesetName: string, facts: Record<string, unknown>): Evaluation {
    const ruleset = this.loaded(rulesetName);
    const checked = this.checkFacts(ruleset, facts, this.factChecks.get(rulesetName)!);
    const { rules } = ruleset.compiled;
    const partition = this.partitions.get(rulesetName)!;
    const evaluated = partition.always.slice();
    for (const gate of partition.gates) {
      const admitted = gate.rules.get(checked[gate.fact]);
      if (admitted !== undefined) {
        for (const i of admitted) evaluated[i] = 1;
      }
    }
    const firedFlags = new Uint8Array(rules.length);
    const fired: FiredRule[] = [];
    for (let i = 0; i < rules.length; i++) {
      if (evaluated[i] === 1 && rules[i].evaluate(checked, undefined) === true) {
        firedFlags[i] = 1;
        fired.push({ rule: rules[i].rule, event: rules[i].event });
      }
    }
    // The trace and a rule's conditions are recorded when read, on the facts as they were now.
    // The caller keeps its facts object; a copy the fact check made is the run's alone.
    const factsNow = checked === facts ? { ...checked } : checked;
    return new CompiledEvaluation(rulesetName, this.version, fired, ruleset.compiled, factsNow, firedFlags);
  }

  /** Evaluates a ruleset with json-rules-engine, the reference for the compiled rules. */
  async evaluateWithEngine(rulesetName: string, facts: Record<string, unknown>): Promise<Evaluation> {
    const ruleset = this.loaded(rulesetName);
    const outcome = await ruleset.engine.run(this.checkFacts(ruleset, facts, (f) => ruleset.facts.safeParse(f)));
    const byRule = new Map(
      [...outcome.results, ...outcome.failureResults].map((result) => [result.name as string, result]),
    );
    const trace: RuleTrace[] = [];
    const fired: FiredRule[] = [];
    for (const rule of ruleset.rules) {
      const result = byRule.get(rule.id);
      const didFire = result?.result === true;
      trace.push({
        ruleId: rule.id,
        version: rule.version,
        fired: didFire,
        conditions: result ? traceConditions(result.conditions as EvaluatedCondition) : [],
      });
      if (didFire) {
        fired.push({ rule, event: { type: rule.event.type, params: rule.event.params } });
      }
    }
    return {
      ruleset: rulesetName,
      rulesetVersion: this.version,
      fired,
      trace,
      conditionsOf: (ruleId) => trace.find((t) => t.ruleId === ruleId)?.conditions ?? [],
    };
  }

  private loaded(rulesetName: string): LoadedRuleset {
    const ruleset = this.rulesets.get(rulesetName);
    if (!ruleset) {
      throw new Error(`no ruleset named "${rulesetName}"`);
    }
    return ruleset;
  }

  private checkFacts(
    ruleset: LoadedRuleset,
    facts: Record<string, unknown>,
    check: FactCheck,
  ): Record<string, unknown> {
    const parsed = check(facts);
    if (!parsed.success) {
      throw new FactsInvalidError(
        ruleset.spec.name,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(facts)'}: ${i.message}`),
      );
    }
    return parsed.data;
  }
}
