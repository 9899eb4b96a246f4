import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

import { SeededRandom } from '../common/seeded-random';
import type { Evaluation, LoadedRuleset, RuleCatalogue } from './catalogue';
import type { GoldenCases } from './golden-cases';
import type { RuleCondition } from './rule-file.schema';

/**
 * The compiled rules checked against json-rules-engine: the same facts through both must give the
 * same fired rules, the same events and the same trace (or both must refuse). Fact sets come from
 * the golden cases and from a seeded generator that reads only the ruleset's declared facts and
 * the values its rules compare with, so it follows whatever rules-data/ says.
 */

export interface Disagreement {
  ruleset: string;
  facts: Record<string, unknown>;
  difference: string;
}

type Outcome = { evaluation: Evaluation } | { error: string };

async function outcomeOf(run: () => Evaluation | Promise<Evaluation>): Promise<Outcome> {
  try {
    return { evaluation: await run() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** What differs between the compiled rules and the engine for these facts; undefined when they agree. */
export async function compareWithEngine(
  catalogue: RuleCatalogue,
  ruleset: string,
  facts: Record<string, unknown>,
): Promise<string | undefined> {
  const compiled = await outcomeOf(() => catalogue.evaluate(ruleset, facts));
  const engine = await outcomeOf(() => catalogue.evaluateWithEngine(ruleset, facts));
  if ('error' in compiled || 'error' in engine) {
    return 'error' in compiled && 'error' in engine
      ? undefined
      : `one refused and the other did not (compiled: ${'error' in compiled ? compiled.error : 'ran'}; engine: ${'error' in engine ? engine.error : 'ran'})`;
  }
  const a = compiled.evaluation;
  const b = engine.evaluation;
  const firedA = a.fired.map((f) => f.rule.id).join(', ');
  const firedB = b.fired.map((f) => f.rule.id).join(', ');
  if (firedA !== firedB) {
    return `fired rules differ (compiled: ${firedA || 'none'}; engine: ${firedB || 'none'})`;
  }
  if (
    !isDeepStrictEqual(
      a.fired.map((f) => f.event),
      b.fired.map((f) => f.event),
    )
  ) {
    return 'events differ';
  }
  // The stored trace is JSON: the same text, key order included, and the same values before serialising.
  const ruleTrace = a.trace.findIndex(
    (t, i) => JSON.stringify(t) !== JSON.stringify(b.trace[i]) || !isDeepStrictEqual(t, b.trace[i]),
  );
  if (ruleTrace >= 0 || a.trace.length !== b.trace.length) {
    const at = ruleTrace >= 0 ? ruleTrace : Math.min(a.trace.length, b.trace.length);
    return `trace of ${a.trace[at]?.ruleId ?? b.trace[at]?.ruleId} differs (compiled: ${JSON.stringify(a.trace[at])}; engine: ${JSON.stringify(b.trace[at])})`;
  }
  const ofFired = a.fired.find((f) => !isDeepStrictEqual(a.conditionsOf(f.rule.id), b.conditionsOf(f.rule.id)));
  if (ofFired) {
    return `conditions of ${ofFired.rule.id} differ from its trace entry`;
  }
  return undefined;
}

/** Runs every golden case, records each ruleset evaluation it makes, and replays each through both. */
export async function goldenCaseDisagreements(
  catalogue: RuleCatalogue,
  loaded: readonly GoldenCases[],
): Promise<{ evaluations: number; disagreements: Disagreement[] }> {
  const calls: Array<{ ruleset: string; facts: Record<string, unknown> }> = [];
  const recording: RuleCatalogue = Object.create(catalogue);
  recording.evaluate = (ruleset, facts) => {
    calls.push({ ruleset, facts: structuredClone(facts) });
    return catalogue.evaluate(ruleset, facts);
  };
  for (const { suite, cases } of loaded) {
    for (const goldenCase of cases) {
      await suite.check(recording, goldenCase);
    }
  }
  const disagreements: Disagreement[] = [];
  for (const { ruleset, facts } of calls) {
    const difference = await compareWithEngine(catalogue, ruleset, facts);
    if (difference) {
      disagreements.push({ ruleset, facts, difference });
    }
  }
  return { evaluations: calls.length, disagreements };
}

const pick = <T>(random: SeededRandom, items: readonly T[]): T => items[Math.floor(random.next() * items.length)];

function leavesOf(node: RuleCondition): RuleCondition[] {
  const children = node.all ?? node.any ?? (node.not ? [node.not] : undefined);
  return children ? children.flatMap(leavesOf) : [node];
}

const isFactReference = (value: unknown): value is { fact: string } =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'fact');

/** Values near a number: the number itself, either side of it, and halfway steps for decimals. */
const around = (n: number) => [n - 1, n - 0.5, n, n + 0.5, n + 1];

/** Every plain value (numbers, strings, booleans, null) inside a comparand, at any depth. */
function scalarsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return value.flatMap(scalarsIn);
  }
  if (value !== null && typeof value === 'object') {
    return Object.values(value).flatMap(scalarsIn);
  }
  return [value];
}

/** Values the schema itself names or allows at its edges (enum members, literals, null, booleans, bounds). */
function schemaValues(schema: z.ZodType): unknown[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'nullable':
      return [null, ...schemaValues(def.innerType as z.ZodType)];
    case 'optional':
    case 'default':
    case 'readonly':
      return schemaValues(def.innerType as z.ZodType);
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>);
    case 'literal':
      return def.values as unknown[];
    case 'boolean':
      return [true, false];
    case 'union':
      return (def.options as z.ZodType[]).flatMap(schemaValues);
    case 'number': {
      const bounds = ((def.checks as Array<{ _zod: { def: { value?: unknown } } }> | undefined) ?? [])
        .map((c) => c._zod.def.value)
        .filter((v): v is number => typeof v === 'number');
      return [0, 1, 7, 30, 100, ...bounds.flatMap(around)];
    }
    case 'string':
      return ['', 'something-else'];
    default:
      return [];
  }
}

function elementSchema(schema: z.ZodType): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'nullable' || def.type === 'optional' || def.type === 'default' || def.type === 'readonly') {
    return elementSchema(def.innerType as z.ZodType);
  }
  return def.type === 'array' ? (def.element as z.ZodType) : undefined;
}

/**
 * A seeded source of valid fact sets for one ruleset. Each fact takes values its schema names, values
 * its rules compare it with (and just either side of each number), and for lists any mix of those;
 * half the sets are aimed at one rule, with each of its comparisons given the value it looks for, so
 * that rules fire often enough to compare their events.
 */
export function factSetGenerator(ruleset: LoadedRuleset, seed: number): () => Record<string, unknown> {
  const random = new SeededRandom(seed);
  const mentioned = new Map<string, unknown[]>(Object.keys(ruleset.spec.facts).map((fact) => [fact, []]));
  const leaves = ruleset.rules.map((rule) => leavesOf(rule.conditions));
  for (const leaf of leaves.flat()) {
    const values = mentioned.get(leaf.fact as string);
    if (!values) {
      continue;
    }
    if (isFactReference(leaf.value)) {
      mentioned.get(leaf.value.fact)?.push(...values);
      continue;
    }
    for (const scalar of scalarsIn(leaf.value)) {
      values.push(...(typeof scalar === 'number' ? around(scalar) : [scalar]));
    }
  }
  const candidates = new Map<string, unknown[][]>();
  for (const [fact, spec] of Object.entries(ruleset.spec.facts)) {
    const element = elementSchema(spec.schema);
    const scalars = [...new Set([...(mentioned.get(fact) ?? []), ...schemaValues(element ?? spec.schema)])];
    const valid = (value: unknown) => spec.schema.safeParse(value).success;
    if (element) {
      const items = scalars.filter((v) => element.safeParse(v).success);
      candidates.set(fact, [[], ...items.map((item) => [item]), items]);
    } else {
      candidates.set(fact, [scalars.filter(valid)]);
    }
  }
  const randomValue = (fact: string): unknown => {
    const pools = candidates.get(fact) as unknown[][];
    if (elementSchema(ruleset.spec.facts[fact].schema)) {
      const all = pools[pools.length - 1];
      return all.filter(() => random.next() < 0.3);
    }
    return pick(random, pools[0]);
  };
  const aimedAt = (leaf: RuleCondition, facts: Record<string, unknown>): void => {
    const fact = leaf.fact as string;
    const value = leaf.value;
    if (!(fact in facts) || isFactReference(value)) {
      if (isFactReference(value) && fact in facts && value.fact in facts) {
        facts[fact] = facts[value.fact];
      }
      return;
    }
    const scalars = scalarsIn(value);
    const numbers = scalars.filter((v): v is number => typeof v === 'number');
    const chosen = numbers.length > 0 ? pick(random, numbers.flatMap(around)) : pick(random, scalars);
    facts[fact] = elementSchema(ruleset.spec.facts[fact].schema) ? [chosen] : chosen;
  };
  return () => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const facts = Object.fromEntries(Object.keys(ruleset.spec.facts).map((fact) => [fact, randomValue(fact)]));
      if (random.next() < 0.5) {
        for (const leaf of pick(random, leaves)) {
          if (random.next() < 0.9) {
            aimedAt(leaf, facts);
          }
        }
      }
      if (ruleset.facts.safeParse(facts).success) {
        return facts;
      }
    }
    throw new Error(
      `no valid fact set for the ${ruleset.spec.name} ruleset in 1000 attempts: a fact's schema allows none of the values tried`,
    );
  };
}

export interface GeneratedCheck {
  ruleset: string;
  factSets: number;
  /** Rules that fired at least once: a generator that never fires them compares little. */
  rulesFired: number;
  rules: number;
  disagreements: Disagreement[];
}

/** Compares both evaluators on `runs` generated fact sets for every ruleset. */
export async function generatedDisagreements(
  catalogue: RuleCatalogue,
  runs: number,
  seed = 20261204,
): Promise<GeneratedCheck[]> {
  const checks: GeneratedCheck[] = [];
  for (const name of catalogue.rulesetNames) {
    const ruleset = catalogue.ruleset(name) as LoadedRuleset;
    const next = factSetGenerator(ruleset, seed);
    const fired = new Set<string>();
    const disagreements: Disagreement[] = [];
    for (let i = 0; i < runs; i++) {
      const facts = next();
      const difference = await compareWithEngine(catalogue, name, facts);
      if (difference) {
        disagreements.push({ ruleset: name, facts, difference });
      } else {
        catalogue.evaluate(name, facts).fired.forEach((f) => fired.add(f.rule.id));
      }
    }
    checks.push({ ruleset: name, factSets: runs, rulesFired: fired.size, rules: ruleset.rules.length, disagreements });
  }
  return checks;
}
