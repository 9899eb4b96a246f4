import type { z } from 'zod';

import type { RuleCatalogue } from './catalogue';

/**
 * A data file of `rules-data/` that is not a ruleset: a table the rules refer to, such as the
 * exercise catalogue or the LOP equations. It is validated at load and covered by the ruleset
 * version like the rules, because it shapes answers as much as they do.
 */
export interface DataSpec<T = unknown> {
  /** The file is `rules-data/<name>.data.json`. */
  name: string;
  schema: z.ZodType<T>;
}

/** A problem found by a catalogue check, located like any other rules problem. */
export interface CrossCheckProblem {
  file: string;
  rule?: string;
  field?: string;
  message: string;
}

/**
 * A check across files that no single schema can make, such as a selection rule naming an exercise
 * the catalogue does not hold. Runs on the fully loaded catalogue; any problem stops the load.
 */
export type CatalogueCheck = (catalogue: RuleCatalogue) => CrossCheckProblem[];
