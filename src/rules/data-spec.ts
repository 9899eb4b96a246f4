import type { z } from 'zod';

import type { RuleCatalogue } from './catalogue';
import type { Evidence } from './rule-file.schema';

/** An entry of a data table that decides like a rule and is cited like one: id, version, rationale, evidence. */
export interface SourcedEntry {
  id: string;
  version: number;
  title: string;
  rationale: string;
  evidence: Evidence[];
  /** What the entry sets (value set, statuses, age limits), by name. */
  settings: Record<string, unknown>;
}

/** The sourced entries of a table, with what the table as a whole decides. */
export interface SourcedEntries {
  title: string;
  description: string;
  entries: SourcedEntry[];
}

/**
 * A data file of `rules-data/` that is not a ruleset: a table the rules refer to, such as the
 * exercise catalogue or the LOP equations. It is validated at load and covered by the ruleset
 * version like the rules, because it shapes answers as much as they do.
 */
export interface DataSpec<T = unknown> {
  /** The file is `rules-data/<name>.data.json`. */
  name: string;
  schema: z.ZodType<T>;
  /** The entries a card may cite, for tables whose entries decide like rules; they get rule pages too. */
  sourced?: (table: T) => SourcedEntries;
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
