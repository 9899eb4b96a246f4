import { Engine } from 'json-rules-engine';
import type { z } from 'zod';

import { type CompiledRuleset, type ConditionValues, customComparison } from './compile-rules';
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

/** The loaded, validated rules of every ruleset, and the one way to evaluate them. */
export class RuleCatalogue {
  private readonly ruleIndex = new Map<string, { ruleset: string; rule: RuleDefinition }>();
  private readonly factChecks = new Map<string, FactCheck>();

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
    const { rules, conditions } = ruleset.compiled;
    const values: ConditionValues = new Array(3 * conditions.length);
    const firedFlags: boolean[] = new Array(rules.length);
    const fired: FiredRule[] = [];
    for (let i = 0; i < rules.length; i++) {
      const compiled = rules[i];
      firedFlags[i] = compiled.evaluate(checked, values) === true;
      if (firedFlags[i]) {
        fired.push({ rule: compiled.rule, event: compiled.event });
      }
    }
    const conditionsOf = (i: number): ConditionTrace[] => {
      const { first, count } = rules[i];
      const traced: ConditionTrace[] = new Array(count);
      for (let c = 0; c < count; c++) {
        const slot = 3 * (first + c);
        const { name, fact, path, operator } = conditions[first + c];
        const result = (values[slot + 2] ?? null) as boolean | null;
        traced[c] = path
          ? { name, fact, path, operator, factValue: values[slot], comparedValue: values[slot + 1], result }
          : { name, fact, operator, factValue: values[slot], comparedValue: values[slot + 1], result };
      }
      return traced;
    };
    let trace: RuleTrace[] | undefined;
    return {
      ruleset: rulesetName,
      rulesetVersion: this.version,
      fired,
      get trace() {
        trace ??= rules.map((compiled, i) => ({ ruleId: compiled.rule.id, version: compiled.rule.version, fired: firedFlags[i], conditions: conditionsOf(i) }));
        return trace;
      },
      conditionsOf: (ruleId) => {
        const i = rules.findIndex((compiled) => compiled.rule.id === ruleId);
        return i < 0 ? [] : conditionsOf(i);
      },
    };
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

  private checkFacts(ruleset: LoadedRuleset, facts: Record<string, unknown>, check: FactCheck): Record<string, unknown> {
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
