import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

import { buildEngine, LoadedRuleset, RuleCatalogue } from './catalogue';
import { compileRules, RuleCompileError } from './compile-rules';
import type { CatalogueCheck, DataSpec } from './data-spec';
import { CUSTOM_OPERATORS, CustomOperator, knownOperatorNames, OPERATOR_DECORATORS, parseOperator } from './operators';
import { type RuleCondition, RuleDefinition, RuleFile } from './rule-file.schema';
import type { RulesetSpec } from './ruleset-spec';
import { rulesetVersion } from './ruleset-version';

/** One thing wrong with the rules data, located as precisely as it can be. */
export interface RuleProblem {
  file: string;
  rule?: string;
  field?: string;
  message: string;
}

export function formatRuleProblem(p: RuleProblem): string {
  return [p.file, p.rule && `rule ${p.rule}`, p.field].filter(Boolean).join(' › ') + `: ${p.message}`;
}

/** The rules data is not fit to run on; the service does not start. */
export class RulesetInvalidError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(
      `The rules in rules-data/ are invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${formatRuleProblem(p)}`).join('\n'),
    );
    this.name = 'RulesetInvalidError';
  }
}

export interface LoadOptions {
  dir: string;
  specs: readonly RulesetSpec[];
  /** The data files (`<name>.data.json`) the rules refer to. */
  data?: readonly DataSpec[];
  /** Checks across files, run once everything has loaded. */
  checks?: readonly CatalogueCheck[];
  operators?: readonly CustomOperator[];
}

const RULES_SUFFIX = '.rules.json';
const DATA_SUFFIX = '.data.json';
export const CASES_SUFFIX = '.cases.json';

function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

function isFactReference(value: unknown): value is { fact: string; path?: string } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;
}

/** Why `value` can never be what the fact holds, for the comparisons where that can be known. */
function comparandProblem(operator: string, value: unknown, schema: z.ZodType): string | undefined {
  const refuses = (candidate: unknown) => {
    const parsed = schema.safeParse(candidate);
    return parsed.success ? undefined : parsed.error.issues[0]?.message;
  };
  switch (operator) {
    case 'equal':
    case 'notEqual':
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive': {
      const reason = refuses(value);
      return reason && `value ${JSON.stringify(value)} can never match this fact (${reason})`;
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value)) {
        return `operator ${operator} needs a list as its value`;
      }
      const wrong = value.find((v) => refuses(v) !== undefined);
      return wrong !== undefined
        ? `list item ${JSON.stringify(wrong)} can never match this fact (${refuses(wrong)})`
        : undefined;
    }
    case 'contains':
    case 'doesNotContain': {
      if (!(schema instanceof z.ZodArray)) {
        return `operator ${operator} needs a fact that holds a list`;
      }
      const parsed = (schema.element as z.ZodType).safeParse(value);
      return parsed.success
        ? undefined
        : `value ${JSON.stringify(value)} can never be in this list (${parsed.error.issues[0]?.message})`;
    }
    default:
      return undefined;
  }
}

/** Checks what the schema cannot: known facts and operators, comparable values, unique names. */
function checkRule(
  rule: RuleDefinition,
  spec: RulesetSpec,
  operators: readonly CustomOperator[],
  report: (field: string, message: string) => void,
): void {
  const factNames = Object.keys(spec.facts);
  const names = new Set<string>();
  const visit = (node: RuleCondition, path: PropertyKey[]): void => {
    const children = node.all ?? node.any;
    if (children) {
      const key = node.all ? 'all' : 'any';
      children.forEach((child, i) => visit(child, [...path, key, i]));
      return;
    }
    if (node.not) {
      visit(node.not, [...path, 'not']);
      return;
    }
    const at = (key: string) => fieldOf([...path, key]);
    if (node.name && names.has(node.name)) {
      report(at('name'), `condition name "${node.name}" is used twice in this rule`);
    }
    names.add(node.name as string);
    const fact = spec.facts[node.fact as string];
    if (!fact) {
      report(at('fact'), `unknown fact "${node.fact}" (the ${spec.name} ruleset knows: ${factNames.join(', ')})`);
    }
    if (isFactReference(node.value) && !spec.facts[node.value.fact]) {
      report(
        at('value.fact'),
        `unknown fact "${node.value.fact}" (the ${spec.name} ruleset knows: ${factNames.join(', ')})`,
      );
    }
    const operator = parseOperator(node.operator as string, operators);
    if (!operator) {
      report(
        at('operator'),
        `unknown operator "${node.operator}" (known: ${knownOperatorNames(operators).join(', ')}; decorators: ${OPERATOR_DECORATORS.join(', ')})`,
      );
      return;
    }
    if (operator.custom) {
      const parsed = operator.custom.value.safeParse(node.value);
      if (!parsed.success) {
        report(
          at('value'),
          `not a valid value for ${operator.custom.name}: ${parsed.error.issues.map((i) => `${fieldOf(i.path) || 'value'} ${i.message}`).join('; ')}`,
        );
      }
      return;
    }
    if (fact && operator.decorators.length === 0 && !node.path && !isFactReference(node.value)) {
      const problem = comparandProblem(operator.base, node.value, fact.schema);
      if (problem) {
        report(at('value'), problem);
      }
    }
  };
  visit(rule.conditions, ['conditions']);

  const event = spec.event.safeParse(rule.event);
  if (!event.success) {
    for (const issue of event.error.issues) {
      report(fieldOf(['event', ...issue.path]), issue.message);
    }
  }
}

export function readJson(dir: string, file: string, problems: RuleProblem[]): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    problems.push({ file, message: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

function schemaProblems(file: string, content: unknown, schema: z.ZodType, problems: RuleProblem[]): boolean {
  const parsed = schema.safeParse(content);
  if (parsed.success) {
    return true;
  }
  const rules = (content as { rules?: Array<{ id?: unknown }> } | undefined)?.rules;
  for (const issue of parsed.error.issues) {
    const [first, index] = issue.path;
    const ruleId = first === 'rules' && typeof index === 'number' ? rules?.[index]?.id : undefined;
    problems.push({
      file,
      rule: typeof ruleId === 'string' ? ruleId : undefined,
      field: fieldOf(typeof ruleId === 'string' ? issue.path.slice(2) : issue.path) || undefined,
      message: issue.message,
    });
  }
  return false;
}

interface RuleFileRead {
  file: string;
  content: RuleFile;
  /** False when the file had schema problems; its well-formed rules are still checked. */
  complete: boolean;
}

interface DataFiles {
  /** Every rules and data file as parsed, for the ruleset version. */
  versioned: Array<{ name: string; content: unknown }>;
  ruleFiles: RuleFileRead[];
  /** Valid data files by spec name. */
  tables: Map<string, unknown>;
  /** Rulesets with a rules file at all, valid or not: a broken file is reported once, not again as missing. */
  presentRulesets: Set<string>;
}

function readDataFiles(dir: string, dataSpecs: readonly DataSpec[], problems: RuleProblem[]): DataFiles {
  let entries: string[];
  try {
    entries = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new RulesetInvalidError([{ file: dir, message: `cannot be read: ${(error as Error).message}` }]);
  }
  const files: DataFiles = {
    versioned: [],
    ruleFiles: [],
    tables: new Map(),
    presentRulesets: new Set(
      entries.filter((f) => f.endsWith(RULES_SUFFIX)).map((f) => f.slice(0, -RULES_SUFFIX.length)),
    ),
  };
  for (const file of entries.filter((name) => !name.endsWith(CASES_SUFFIX))) {
    const content = readJson(dir, file, problems);
    if (content === undefined) {
      continue;
    }
    if (file.endsWith(RULES_SUFFIX)) {
      files.versioned.push({ name: file, content });
      const complete = schemaProblems(file, content, RuleFile, problems);
      const envelope = RuleFile.extend({ rules: z.array(z.unknown()) }).safeParse(content);
      if (envelope.success) {
        const rules = envelope.data.rules.flatMap((rule) => {
          const parsed = RuleDefinition.safeParse(rule);
          return parsed.success ? [parsed.data] : [];
        });
        files.ruleFiles.push({ file, content: { ...envelope.data, rules }, complete });
      }
    } else if (file.endsWith(DATA_SUFFIX)) {
      const name = file.slice(0, -DATA_SUFFIX.length);
      const spec = dataSpecs.find((d) => d.name === name);
      if (!spec) {
        problems.push({
          file,
          message: `no module declares a data file named "${name}" (known: ${dataSpecs.map((d) => d.name).join(', ') || 'none'})`,
        });
        continue;
      }
      files.versioned.push({ name: file, content });
      const parsed = spec.schema.safeParse(content);
      if (parsed.success) {
        files.tables.set(name, parsed.data);
      } else {
        for (const issue of parsed.error.issues) {
          problems.push({ file, field: fieldOf(issue.path) || undefined, message: issue.message });
        }
      }
    } else {
      problems.push({
        file,
        message: `is not a known kind of data file (expected <ruleset>${RULES_SUFFIX}, <table>${DATA_SUFFIX} or <suite>${CASES_SUFFIX})`,
      });
    }
  }
  return files;
}

/** Checks each rules file against its module's spec and builds its engine when nothing is wrong. */
function buildRulesets(
  ruleFiles: readonly RuleFileRead[],
  specs: readonly RulesetSpec[],
  operators: readonly CustomOperator[],
  problems: RuleProblem[],
): Map<string, LoadedRuleset> {
  const seenIds = new Map<string, string>();
  const rulesets = new Map<string, LoadedRuleset>();
  for (const { file, content, complete } of ruleFiles) {
    const expected = file.slice(0, -RULES_SUFFIX.length);
    if (content.ruleset !== expected) {
      problems.push({
        file,
        field: 'ruleset',
        message: `is "${content.ruleset}" but the file name says "${expected}"`,
      });
      continue;
    }
    const spec = specs.find((s) => s.name === content.ruleset);
    if (!spec) {
      problems.push({
        file,
        field: 'ruleset',
        message: `no module declares a ruleset named "${content.ruleset}" (known: ${specs.map((s) => s.name).join(', ')})`,
      });
      continue;
    }
    const before = problems.length;
    for (const rule of content.rules) {
      const firstFile = seenIds.get(rule.id);
      if (firstFile) {
        problems.push({
          file,
          rule: rule.id,
          field: 'id',
          message: `duplicate rule id (already used in ${firstFile})`,
        });
      }
      seenIds.set(rule.id, file);
      checkRule(rule, spec, operators, (field, message) => problems.push({ file, rule: rule.id, field, message }));
    }
    if (!complete || problems.length > before) {
      continue;
    }
    let engine;
    try {
      engine = buildEngine(content.rules, operators);
    } catch (error) {
      problems.push({ file, message: `the rules engine refused the file: ${(error as Error).message}` });
      continue;
    }
    try {
      rulesets.set(spec.name, {
        spec,
        file,
        title: content.title,
        description: content.description,
        rules: content.rules,
        engine,
        compiled: compileRules(content.rules, operators),
        facts: z.strictObject(Object.fromEntries(Object.entries(spec.facts).map(([name, f]) => [name, f.schema]))),
      });
    } catch (error) {
      if (!(error instanceof RuleCompileError)) {
        throw error;
      }
      problems.push({
        file,
        rule: error.ruleId,
        message: `the rule compiler cannot run this rule exactly as json-rules-engine would: ${error.message}`,
      });
    }
  }
  return rulesets;
}

/**
 * Reads every rules and data file of `rules-data/` (golden cases are read by loadGoldenCases),
 * validates them, builds one engine per ruleset and runs the checks across files. Throws
 * RulesetInvalidError listing every problem found; never returns a partial catalogue.
 */
export function loadRules({
  dir,
  specs,
  data = [],
  checks = [],
  operators = CUSTOM_OPERATORS,
}: LoadOptions): RuleCatalogue {
  const problems: RuleProblem[] = [];
  const files = readDataFiles(dir, data, problems);
  const rulesets = buildRulesets(files.ruleFiles, specs, operators, problems);
  for (const spec of specs) {
    if (!files.presentRulesets.has(spec.name)) {
      problems.push({
        file: `${spec.name}${RULES_SUFFIX}`,
        message: `is missing: the ${spec.name} ruleset has no rules`,
      });
    }
  }
  for (const spec of data) {
    if (!files.versioned.some((f) => f.name === `${spec.name}${DATA_SUFFIX}`)) {
      problems.push({ file: `${spec.name}${DATA_SUFFIX}`, message: 'is missing' });
    }
  }
  if (problems.length > 0) {
    throw new RulesetInvalidError(problems);
  }
  const content = Object.fromEntries(files.versioned.map((f) => [f.name, f.content]));
  const catalogue = new RuleCatalogue(rulesetVersion(files.versioned), rulesets, content, files.tables);
  const crossProblems = checks.flatMap((check) => check(catalogue));
  if (crossProblems.length > 0) {
    throw new RulesetInvalidError(crossProblems);
  }
  return catalogue;
}
