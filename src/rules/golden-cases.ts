import { existsSync, readdirSync } from 'node:fs';
import { z } from 'zod';

import type { RuleCatalogue } from './catalogue';
import { CASES_SUFFIX, readJson, type RuleProblem, RulesetInvalidError } from './loader';

/**
 * A set of golden cases a module defines over its own inputs and outputs, kept next to the rules in
 * `rules-data/<name>.cases.json`, so a rule change is reviewed together with its effect.
 */
export interface GoldenSuite<C extends { name: string } = { name: string }> {
  name: string;
  case: z.ZodType<C>;
  /** What differs from the expectation, in words; empty when the case holds. */
  check(catalogue: RuleCatalogue, goldenCase: C): Promise<string[]>;
}

export interface GoldenCases<C extends { name: string } = { name: string }> {
  suite: GoldenSuite<C>;
  file: string;
  cases: C[];
}

export interface GoldenCaseResult {
  file: string;
  name: string;
  passed: boolean;
  differences: string[];
}

type Json = unknown;

const isPlainObject = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Objects merge key by key; a list or a value in the case replaces the default. */
function withDefaults(defaults: Json, value: Json): Json {
  if (!isPlainObject(defaults) || !isPlainObject(value)) {
    return value === undefined ? defaults : value;
  }
  const merged: Record<string, Json> = { ...defaults };
  for (const [key, v] of Object.entries(value)) {
    merged[key] = withDefaults(defaults[key], v);
  }
  return merged;
}

/**
 * Reads and validates every suite's cases file; a file no module claims is a problem too. A file
 * may give `defaults` that every case starts from, so each case states only what makes it differ.
 */
export function loadGoldenCases(dir: string, suites: readonly GoldenSuite[]): GoldenCases[] {
  const problems: RuleProblem[] = [];
  const loaded: GoldenCases[] = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(CASES_SUFFIX)) : [];
  for (const file of files.sort()) {
    const suite = suites.find((s) => `${s.name}${CASES_SUFFIX}` === file);
    if (!suite) {
      problems.push({
        file,
        message: `no module defines a golden-case suite "${file.slice(0, -CASES_SUFFIX.length)}" (known: ${suites.map((s) => s.name).join(', ')})`,
      });
      continue;
    }
    const content = readJson(dir, file, problems);
    const layout = z
      .strictObject({
        suite: z.literal(suite.name),
        defaults: z.record(z.string(), z.unknown()).optional(),
        cases: z.array(z.record(z.string(), z.unknown())).min(1),
      })
      .safeParse(content);
    const parsed = layout.success
      ? z.strictObject({ suite: z.literal(suite.name), cases: z.array(suite.case).min(1) }).safeParse({
          suite: layout.data.suite,
          cases: layout.data.cases.map((c) => withDefaults(layout.data.defaults ?? {}, c)),
        })
      : layout;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ file, field: issue.path.join('.') || undefined, message: issue.message });
      }
      continue;
    }
    loaded.push({ suite, file, cases: parsed.data.cases });
  }
  for (const suite of suites) {
    if (!files.includes(`${suite.name}${CASES_SUFFIX}`)) {
      problems.push({
        file: `${suite.name}${CASES_SUFFIX}`,
        message: 'is missing: every suite needs its golden cases',
      });
    }
  }
  if (problems.length > 0) {
    throw new RulesetInvalidError(problems);
  }
  return loaded;
}

/** Runs every case; a case whose check throws fails with the error as its difference. */
export async function runGoldenCases(
  catalogue: RuleCatalogue,
  loaded: readonly GoldenCases[],
): Promise<GoldenCaseResult[]> {
  const results: GoldenCaseResult[] = [];
  for (const { suite, file, cases } of loaded) {
    for (const goldenCase of cases) {
      let differences: string[];
      try {
        differences = await suite.check(catalogue, goldenCase);
      } catch (error) {
        differences = [`the case could not be run: ${(error as Error).message}`];
      }
      results.push({ file, name: goldenCase.name, passed: differences.length === 0, differences });
    }
  }
  return results;
}
