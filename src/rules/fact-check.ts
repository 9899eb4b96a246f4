import type { z } from 'zod';

import type { RulesetSpec } from './ruleset-spec';

/** Plain values remembered per fact; beyond this a fact's values are checked every time. */
const REMEMBERED_PER_FACT = 512;

export type FactCheck = (
  facts: Record<string, unknown>,
) => { success: true; data: Record<string, unknown> } | { success: false; error: z.ZodError };

/**
 * Checks a ruleset's facts exactly as its strict zod object does, fact by fact, and remembers each
 * plain value (an answer, a number, null) a fact's schema accepted unchanged, so the same answer is
 * checked once per process rather than once per evaluation. Anything unusual (a missing or extra
 * fact, a value refused) goes to the zod object itself, so the refusal and its message are zod's.
 */
export function factCheck(spec: RulesetSpec, strict: z.ZodType<Record<string, unknown>>): FactCheck {
  const names = Object.keys(spec.facts);
  const schemas = names.map((name) => spec.facts[name].schema);
  const accepted = names.map(() => new Set<unknown>());
  const byZod: FactCheck = (facts) => strict.safeParse(facts);
  return (facts) => {
    if (facts === null || typeof facts !== 'object' || Object.keys(facts).length !== names.length) {
      return byZod(facts);
    }
    let parsedCopy: Record<string, unknown> | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (!Object.hasOwn(facts, name)) {
        return byZod(facts);
      }
      const value = facts[name];
      const plain = value === null || typeof value !== 'object';
      if (plain && accepted[i].has(value) && !Object.is(value, -0)) {
        continue;
      }
      const parsed = schemas[i].safeParse(value);
      if (!parsed.success) {
        return byZod(facts);
      }
      if (plain && Object.is(parsed.data, value)) {
        if (accepted[i].size < REMEMBERED_PER_FACT && !Object.is(value, -0)) {
          accepted[i].add(value);
        }
        continue;
      }
      // Lists and objects come back from zod as new values; use those, as the zod object would.
      (parsedCopy ??= { ...facts })[name] = parsed.data;
    }
    return { success: true, data: parsedCopy ?? facts };
  };
}
