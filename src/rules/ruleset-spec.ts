import type { z } from 'zod';

export interface FactSpec {
  description: string;
  /** The values the fact may take; comparisons in rules are checked against it at load. */
  schema: z.ZodType;
}

/**
 * What a domain module declares about its ruleset: the facts its rules may read and the shape of
 * the events they produce. A rule that names anything else does not load.
 */
export interface RulesetSpec {
  name: string;
  facts: Record<string, FactSpec>;
  event: z.ZodType;
}
