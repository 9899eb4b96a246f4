import fc from 'fast-check';
import { z } from 'zod';

import { RULES_DATA } from '../../test/rules-fixtures';
import { GOLDEN_SUITES, loadRuleCatalogue } from '../rulesets';
import { buildEngine, type LoadedRuleset, RuleCatalogue } from './catalogue';
import { compileRules, RuleCompileError } from './compile-rules';
import { compareWithEngine, generatedDisagreements, goldenCaseDisagreements } from './differential';
import { loadGoldenCases } from './golden-cases';
import { CUSTOM_OPERATORS } from './operators';
import type { RuleCondition, RuleDefinition } from './rule-file.schema';
import type { RulesetSpec } from './ruleset-spec';

/** Generated fact sets per ruleset; `FC_RUNS=10000` for the full check (`npm run rules:check` does it). */
const RUNS = Number(process.env.FC_RUNS ?? 100);

const catalogue = loadRuleCatalogue(RULES_DATA);

const rule = (id: string, conditions: RuleCondition, priority?: number): RuleDefinition => ({
  id,
  version: 1,
  title: `Rule ${id}`,
  rationale: 'Exercises one feature of the rule format.',
  evidence: [{ source: 'json-rules-engine 7.3.1 documentation', level: 'confirmed' }],
  ...(priority ? { priority } : {}),
  conditions,
  event: { type: 'finding', params: { id } },
});

/** A catalogue of one ruleset built the way the loader builds it, without the loader's checks. */
function catalogueOf(rules: RuleDefinition[], facts: Record<string, z.ZodType>): RuleCatalogue {
  const spec: RulesetSpec = {
    name: 'synthetic',
    facts: Object.fromEntries(Object.entries(facts).map(([name, schema]) => [name, { description: name, schema }])),
    event: z.unknown(),
  };
  const loaded: LoadedRuleset = {
    spec,
    file: 'synthetic.rules.json',
    title: 'Synthetic rules',
    description: 'Every feature of the rule format the compiler supports.',
    rules,
    engine: buildEngine(rules, CUSTOM_OPERATORS),
    compiled: compileRules(rules, CUSTOM_OPERATORS),
    facts: z.strictObject(facts),
  };
  return new RuleCatalogue('synthetic', new Map([['synthetic', loaded]]), {});
}

describe('compiled rules against json-rules-engine', () => {
  it('agree on every evaluation the golden cases make', async () => {
    const { evaluations, disagreements } = await goldenCaseDisagreements(
      catalogue,
      loadGoldenCases(RULES_DATA, GOLDEN_SUITES),
    );
    expect(evaluations).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });

  it(`agree on ${RUNS} generated fact sets per ruleset, and those sets fire rules`, async () => {
    const checks = await generatedDisagreements(catalogue, RUNS);
    expect(checks.map((c) => c.ruleset).sort()).toEqual(catalogue.rulesetNames.sort());
    for (const check of checks) {
      expect({ ruleset: check.ruleset, disagreements: check.disagreements }).toEqual({
        ruleset: check.ruleset,
        disagreements: [],
      });
      expect(check.rulesFired).toBeGreaterThan(0);
    }
  });

  it('notice a compiled rule that decides differently from the engine', async () => {
    const tampered = loadRuleCatalogue(RULES_DATA);
    const screening = tampered.ruleset('screening')!;
    const first = screening.compiled.rules[0];
    screening.compiled.rules[0] = { ...first, evaluate: (facts, values) => first.evaluate(facts, values) !== true };
    const { disagreements } = await goldenCaseDisagreements(tampered, loadGoldenCases(RULES_DATA, GOLDEN_SUITES));
    expect(disagreements.length).toBeGreaterThan(0);
    expect(disagreements[0].difference).toMatch(/fired rules differ/);
  });

  describe('on every feature of the rule format, used or not by rules-data/ today', () => {
    const facts = {
      count: z.number().nullable(),
      other: z.number(),
      tags: z.array(z.string()),
      word: z.string(),
      reading: z
        .object({ a: z.object({ b: z.number() }).loose() })
        .loose()
        .nullable(),
    };
    const sut = catalogueOf(
      [
        rule(
          'syn.decorated',
          {
            all: [
              { name: 'some-tag', fact: 'tags', operator: 'someFact:in', value: ['x', 'y'] },
              { name: 'count-not-3', fact: 'count', operator: 'not:equal', value: 3 },
            ],
          },
          5,
        ),
        rule('syn.path-and-reference', {
          any: [
            { name: 'b-above-other', fact: 'reading', path: 'a.b', operator: 'greaterThan', value: { fact: 'other' } },
            { name: 'word-in', fact: 'word', operator: 'swap:in', value: ['x', 'xy'] },
          ],
        }),
        rule(
          'syn.not-band',
          {
            not: {
              all: [{ name: 'count-in-band', fact: 'count', operator: 'inBand', value: { atLeast: 1, below: 5 } }],
            },
          },
          3,
        ),
        rule('syn.every-some', {
          all: [
            { name: 'no-z', fact: 'tags', operator: 'everyFact:notEqual', value: 'z' },
            { name: 'has-x', fact: 'tags', operator: 'contains', value: 'x' },
            { name: 'below-some', fact: 'count', operator: 'someValue:lessThan', value: [1, 2] },
            { name: 'above-every', fact: 'count', operator: 'everyValue:greaterThanInclusive', value: [0, 1] },
            { name: 'not-without-y', fact: 'tags', operator: 'not:doesNotContain', value: 'y' },
          ],
        }),
        rule('syn.single-child', {
          any: [{ name: 'count-below-other', fact: 'count', operator: 'lessThanInclusive', value: { fact: 'other' } }],
        }),
        rule(
          'syn.nested',
          {
            any: [
              {
                all: [
                  { name: 'word-empty', fact: 'word', operator: 'equal', value: '' },
                  { not: { name: 'not-high', fact: 'other', operator: 'greaterThan', value: 3 } },
                ],
              },
              {
                not: {
                  any: [
                    { name: 'tag-z', fact: 'tags', operator: 'contains', value: 'z' },
                    { name: 'count-not-in', fact: 'count', operator: 'notIn', value: [0, 2] },
                  ],
                },
              },
            ],
          },
          2,
        ),
        rule('syn.missing-path', {
          all: [{ name: 'c-is-1', fact: 'reading', path: 'a.c', operator: 'equal', value: 1 }],
        }),
      ],
      facts,
    );
    const factSet = fc.record({
      count: fc.constantFrom(null, -1, 0, 1, 2, 3, 4, 5, 6, 2.5),
      other: fc.integer({ min: -1, max: 6 }),
      tags: fc.subarray(['x', 'y', 'z']),
      word: fc.constantFrom('', 'x', 'y', 'xy'),
      reading: fc.oneof(
        fc.constant(null),
        fc.record({ a: fc.record({ b: fc.integer({ min: 0, max: 6 }) }) }),
        fc.record({ a: fc.record({ b: fc.integer({ min: 0, max: 6 }), c: fc.constantFrom(1, 2) }) }),
      ),
    });

    it('give the same events and trace, or both refuse', async () => {
      const outcomes = { ran: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(factSet, async (f) => {
          expect(await compareWithEngine(sut, 'synthetic', f)).toBeUndefined();
          outcomes[f.reading !== null && !('c' in f.reading.a) ? 'refused' : 'ran']++;
        }),
        { numRuns: Math.max(RUNS, 200), seed: 18 },
      );
      expect(outcomes.ran).toBeGreaterThan(0);
      expect(outcomes.refused).toBeGreaterThan(0);
    });

    it('refuse a path that is not in the fact value, as the engine does', async () => {
      const f = { count: 1, other: 0, tags: [], word: '', reading: { a: { b: 1 } } };
      expect(() => sut.evaluate('synthetic', f)).toThrow(/path "a.c" does not exist/);
      await expect(sut.evaluateWithEngine('synthetic', f)).rejects.toThrow(/path "a.c" does not exist/);
    });
  });

  describe('leave out of a run the rules whose gate does not hold', () => {
    const facts = {
      count: z.number().nullable(),
      tags: z.array(z.string()),
      word: z.string(),
      reading: z.object({ a: z.object({ b: z.number() }).loose() }).loose(),
    };
    const rules = [
      rule('gate.equal', {
        all: [
          { name: 'word-x', fact: 'word', operator: 'equal', value: 'x' },
          { name: 'count-above-1', fact: 'count', operator: 'greaterThan', value: 1 },
        ],
      }),
      rule('gate.in-nested', {
        all: [
          {
            all: [
              { name: 'word-x-or-xy', fact: 'word', operator: 'in', value: ['x', 'xy'] },
              { name: 'has-y', fact: 'tags', operator: 'contains', value: 'y' },
            ],
          },
          { name: 'count-not-2', fact: 'count', operator: 'not:equal', value: 2 },
        ],
      }),
      rule('gate.never', {
        all: [
          { name: 'word-in-nothing', fact: 'word', operator: 'in', value: [] },
          { name: 'count-1', fact: 'count', operator: 'equal', value: 1 },
        ],
      }),
      rule('gate.any', {
        any: [
          { name: 'word-y', fact: 'word', operator: 'equal', value: 'y' },
          { name: 'count-0', fact: 'count', operator: 'equal', value: 0 },
        ],
      }),
      // Gated, but their other comparison can throw: evaluated in every run, so the run refuses as the engine's does.
      rule('gate.missing-path', {
        all: [
          { name: 'word-xy', fact: 'word', operator: 'equal', value: 'xy' },
          { name: 'c-is-1', fact: 'reading', path: 'a.c', operator: 'equal', value: 1 },
        ],
      }),
      rule('gate.custom', {
        all: [
          { name: 'word-y2', fact: 'word', operator: 'equal', value: 'y' },
          { name: 'count-in-band', fact: 'count', operator: 'inBand', value: { atLeast: 1, below: 5 } },
        ],
      }),
    ];
    const factSet = fc.record({
      count: fc.constantFrom(null, 0, 1, 2, 3, 6),
      tags: fc.subarray(['x', 'y']),
      word: fc.constantFrom('', 'x', 'y', 'xy'),
      reading: fc.oneof(
        fc.record({ a: fc.record({ b: fc.constant(1) }) }),
        fc.record({ a: fc.record({ b: fc.constant(1), c: fc.constantFrom(1, 2) }) }),
      ),
    });

    it('give the same events and trace as the engine, or both refuse', async () => {
      const sut = catalogueOf(rules, facts);
      const outcomes = { ran: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(factSet, async (f) => {
          expect(await compareWithEngine(sut, 'synthetic', f)).toBeUndefined();
          outcomes['c' in f.reading.a && f.count !== null ? 'ran' : 'refused']++;
        }),
        { numRuns: Math.max(RUNS, 200), seed: 18 },
      );
      expect(outcomes.ran).toBeGreaterThan(0);
      expect(outcomes.refused).toBeGreaterThan(0);
    });

    it('evaluate a left-out rule only when the trace is read, and never one that could make the run refuse', () => {
      const sut = catalogueOf(rules, facts);
      const compiled = sut.ruleset('synthetic')!.compiled.rules;
      const calls = new Map<string, number>();
      compiled.forEach((entry, i) => {
        compiled[i] = {
          ...entry,
          evaluate: (f, values) => (
            calls.set(entry.rule.id, (calls.get(entry.rule.id) ?? 0) + 1),
            entry.evaluate(f, values)
          ),
        };
      });
      const evaluation = sut.evaluate('synthetic', {
        count: 3,
        tags: ['y'],
        word: 'y',
        reading: { a: { b: 1, c: 1 } },
      });
      expect(Object.fromEntries(calls)).toEqual({ 'gate.any': 1, 'gate.missing-path': 1, 'gate.custom': 1 });
      expect(evaluation.fired.map((f) => f.rule.id)).toEqual(['gate.any', 'gate.custom']);
      expect(evaluation.trace.map((t) => t.conditions.map((c) => c.result))).toEqual([
        [false, true],
        [false, true, true],
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]);
      // Reading the trace records every rule's comparisons once: the rules the run left out for the first time.
      expect(Object.fromEntries(calls)).toEqual({
        'gate.equal': 1,
        'gate.in-nested': 1,
        'gate.never': 1,
        'gate.any': 2,
        'gate.missing-path': 2,
        'gate.custom': 2,
      });
      expect(evaluation.trace).toHaveLength(6);
      expect(calls.get('gate.any')).toBe(2);
    });
  });

  describe('fail closed on what they cannot reproduce exactly', () => {
    const compiling = (conditions: unknown) => () =>
      compileRules([rule('syn.bad', conditions as RuleCondition)], CUSTOM_OPERATORS);

    it.each([
      ['a condition reference', { all: [{ condition: 'hypertensive' }] }, /does not know "condition"/],
      [
        'a condition priority',
        { all: [{ name: 'a', fact: 'x', operator: 'equal', value: 1, priority: 2 }] },
        /does not know "priority"/,
      ],
      [
        'fact params',
        { all: [{ name: 'a', fact: 'x', operator: 'equal', value: 1, params: { unit: 'kg' } }] },
        /does not know "params"/,
      ],
      [
        'an unknown operator',
        { all: [{ name: 'a', fact: 'x', operator: 'between', value: 1 }] },
        /unknown operator "between"/,
      ],
      [
        'an unknown decorator',
        { all: [{ name: 'a', fact: 'x', operator: 'mostFact:in', value: [1] }] },
        /unknown operator "mostFact:in"/,
      ],
      [
        'a comparison at the root',
        { name: 'a', fact: 'x', operator: 'equal', value: 1 },
        /must start with all, any or not/,
      ],
      ['a group with two operators', { all: [], any: [] }, /exactly one of all, any or not/],
      ['a comparison without a value', { all: [{ name: 'a', fact: 'x', operator: 'equal' }] }, /needs "value"/],
    ])('refuses %s', (_what, conditions, message) => {
      expect(compiling(conditions)).toThrow(RuleCompileError);
      expect(compiling(conditions)).toThrow(message);
    });
  });
});
