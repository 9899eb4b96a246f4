import type { LoadedRuleset } from './catalogue';
import type { SourcedEntries, SourcedEntry } from './data-spec';
import type { Evidence, RuleCondition, RuleDefinition } from './rule-file.schema';

/** Where a rule's page is, for links in cards and responses. */
export const rulePageUrl = (baseUrl: string, ruleId: string) => `${baseUrl}/rules/${encodeURIComponent(ruleId)}`;
/** The page listing the rules, of one ruleset when named. */
export const rulesPageUrl = (baseUrl: string, ruleset?: string) =>
  `${baseUrl}/rules${ruleset ? `?ruleset=${encodeURIComponent(ruleset)}` : ''}`;

/** What a rule page shows of the ruleset a rule belongs to. */
export interface RulesetOutline {
  name: string;
  title: string;
  description: string;
  /** What each fact the rules may read means, by fact name. */
  facts: Record<string, { description: string }>;
}

export const rulesetOutline = (name: string, loaded: LoadedRuleset): RulesetOutline => ({
  name,
  title: loaded.title,
  description: loaded.description,
  facts: loaded.spec.facts,
});

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const LEVELS: Record<Evidence['level'], string> = {
  confirmed: 'confirmed: checked against the primary source',
  secondary: 'secondary: seen only in a secondary source',
  unconfirmed: 'unconfirmed: not checked against a source; never a hard limit unless the rule says so',
};

const OPERATORS: Record<string, string> = {
  equal: 'is',
  notEqual: 'is not',
  lessThan: 'is below',
  lessThanInclusive: 'is at most',
  greaterThan: 'is above',
  greaterThanInclusive: 'is at least',
  in: 'is one of',
  notIn: 'is none of',
  contains: 'contains',
  doesNotContain: 'does not contain',
};

const STYLE = `
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 48rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; background: #fff; }
code { font-family: ui-monospace, monospace; background: #f2f2f2; padding: 0 .2em; overflow-wrap: anywhere; }
dt { font-weight: 600; }
dd { margin: 0 0 .5rem 1.5rem; }
a { color: #0645ad; }
a:focus { outline: 3px solid #ffbf47; }
.level { font-style: italic; }
footer { margin-top: 2rem; border-top: 1px solid #ccc; font-size: .9rem; }
`;

function page(title: string, body: string, footer: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    `<footer><p>${footer}</p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

function plainValue(value: unknown): string {
  if (value === null) {
    return 'not known (null)';
  }
  if (typeof value === 'string') {
    return `“${escapeHtml(value)}”`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return escapeHtml(String(value));
  }
  if (Array.isArray(value)) {
    const items = value.map(plainValue);
    return items.length > 1
      ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
      : (items[0] ?? 'nothing');
  }
  return code(JSON.stringify(value));
}

function factName(fact: string, ruleset: RulesetOutline, path?: string): string {
  const description = ruleset.facts[fact]?.description;
  const name = code(path ? `${fact}.${path}` : fact);
  return description ? `${escapeHtml(description.replace(/[.?]$/, ''))} (${name})` : name;
}

function comparison(node: RuleCondition, ruleset: RulesetOutline): string {
  const value = node.value as { fact?: unknown; atLeast?: unknown; below?: unknown } | undefined;
  const what = factName(node.fact!, ruleset, node.path);
  const parts = node.operator!.split(':');
  const base = parts.pop()!;
  const decorators = parts.length > 0 ? ` (${code(parts.join(':'))})` : '';
  let test: string;
  if (base === 'inBand' && value !== null && typeof value === 'object') {
    const bounds = [
      typeof value.atLeast === 'number' ? `at least ${value.atLeast}` : undefined,
      typeof value.below === 'number' ? `below ${value.below}` : undefined,
    ].filter(Boolean);
    test = `is ${bounds.join(' and ')}`;
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.fact === 'string') {
    test = `${OPERATORS[base] ?? code(base)} ${factName(value.fact, ruleset)}`;
  } else {
    test = `${OPERATORS[base] ?? code(base)} ${plainValue(node.value)}`;
  }
  return `${what} ${test}${decorators} <span class="level">[${escapeHtml(node.name ?? '')}]</span>`;
}

function conditionList(node: RuleCondition, ruleset: RulesetOutline): string {
  const group = (lead: string, children: RuleCondition[]) =>
    `${lead}<ul>${children.map((child) => `<li>${conditionList(child, ruleset)}</li>`).join('')}</ul>`;
  if (node.all) {
    return group('All of these hold:', node.all);
  }
  if (node.any) {
    return group('At least one of these holds:', node.any);
  }
  if (node.not) {
    return group('This does not hold:', [node.not]);
  }
  return comparison(node, ruleset);
}

function factsRead(node: RuleCondition): string[] {
  const children = node.all ?? node.any ?? (node.not ? [node.not] : []);
  const own = node.fact ? [node.fact] : [];
  const compared = (node.value as { fact?: unknown } | undefined)?.fact;
  return [...own, ...(typeof compared === 'string' ? [compared] : []), ...children.flatMap(factsRead)];
}

/** An outcome value as nested lists: objects as named values, lists of objects item by item. */
function outcomeValue(value: unknown): string {
  if (typeof value === 'string') {
    return escapeHtml(value);
  }
  if (Array.isArray(value) && value.some((item) => item !== null && typeof item === 'object')) {
    return `<ul>${value.map((item) => `<li>${outcomeValue(item)}</li>`).join('')}</ul>`;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    return entries.length === 0
      ? 'nothing'
      : `<dl>${entries.map(([key, inner]) => `<dt>${code(key)}</dt><dd>${outcomeValue(inner)}</dd>`).join('')}</dl>`;
  }
  return plainValue(value);
}

function evidenceList(evidence: Evidence[]): string {
  return `<ol>${evidence
    .map(
      (e) =>
        `<li><p>${escapeHtml(e.source)}</p><p class="level">Level: ${escapeHtml(LEVELS[e.level])}</p>${e.note ? `<p>${escapeHtml(e.note)}</p>` : ''}</li>`,
    )
    .join('')}</ol>`;
}

const FOOTER = (rulesetVersion: string) =>
  `bfr-rx rule set ${code(rulesetVersion)}. Rules describe how the service decides; this page holds no patient data. The rules support the clinician's judgement and do not replace it.`;

/**
 * A rule as a clinician reads it from a card: what it decides, why, when it applies (the facts in
 * the words of the ruleset), every source with how far it was checked, and the rule set version.
 * Self-contained HTML: no scripts, no external assets, every piece of rule text escaped.
 */
export function rulePageHtml(
  rule: RuleDefinition,
  ruleset: RulesetOutline,
  rulesetVersion: string,
  catalogueUrl: string,
): string {
  const facts = [...new Set(factsRead(rule.conditions))];
  const body = [
    `<p><a href="${escapeHtml(catalogueUrl)}">All rules</a></p>`,
    `<h1>${escapeHtml(rule.title)}</h1>`,
    '<dl>',
    `<dt>Rule</dt><dd>${code(rule.id)}, version ${rule.version}</dd>`,
    `<dt>Ruleset</dt><dd>${code(ruleset.name)}: ${escapeHtml(ruleset.title)}</dd>`,
    `<dt>Rule set version</dt><dd>${code(rulesetVersion)}</dd>`,
    '</dl>',
    '<h2>What it decides</h2>',
    `<p>${escapeHtml(ruleset.description)}</p>`,
    `<p>When it applies, the rule gives ${code(rule.event.type)}:</p>`,
    outcomeValue(rule.event.params),
    '<h2>Why</h2>',
    `<p>${escapeHtml(rule.rationale)}</p>`,
    '<h2>When it applies</h2>',
    `<div>${conditionList(rule.conditions, ruleset)}</div>`,
    '<h3>What it reads</h3>',
    `<dl>${facts.map((fact) => `<dt>${code(fact)}</dt><dd>${escapeHtml(ruleset.facts[fact]?.description ?? 'not described by the ruleset')}</dd>`).join('')}</dl>`,
    '<h2>Evidence</h2>',
    evidenceList(rule.evidence),
  ].join('\n');
  return page(`${rule.id} v${rule.version}: ${rule.title} (bfr-rx rule)`, body, FOOTER(rulesetVersion));
}

/**
 * An entry of a data table that decides like a rule (e.g. which EHR records answer a screening
 * item, how old a measurement may be), on a page like a rule's.
 */
export function entryPageHtml(
  entry: SourcedEntry,
  table: { name: string } & Omit<SourcedEntries, 'entries'>,
  rulesetVersion: string,
  catalogueUrl: string,
): string {
  const body = [
    `<p><a href="${escapeHtml(catalogueUrl)}">All rules</a></p>`,
    `<h1>${escapeHtml(entry.title)}</h1>`,
    '<dl>',
    `<dt>Entry</dt><dd>${code(entry.id)}, version ${entry.version}</dd>`,
    `<dt>Table</dt><dd>${code(`rules-data/${table.name}.data.json`)}: ${escapeHtml(table.title)}</dd>`,
    `<dt>Rule set version</dt><dd>${code(rulesetVersion)}</dd>`,
    '</dl>',
    '<h2>What it decides</h2>',
    `<p>${escapeHtml(table.description)}</p>`,
    '<p>This entry sets:</p>',
    outcomeValue(entry.settings),
    '<h2>Why</h2>',
    `<p>${escapeHtml(entry.rationale)}</p>`,
    '<h2>Evidence</h2>',
    evidenceList(entry.evidence),
  ].join('\n');
  return page(`${entry.id} v${entry.version}: ${entry.title} (bfr-rx rule)`, body, FOOTER(rulesetVersion));
}

const link = (url: string, id: string, version: number, title: string) =>
  `<li><a href="${escapeHtml(url)}">${code(id)} v${version}</a>: ${escapeHtml(title)}</li>`;

/** Every rule of the rulesets given and every sourced table entry, each linked to its page. */
export function ruleIndexHtml(
  rulesets: Array<{ outline: RulesetOutline; rules: RuleDefinition[] }>,
  tables: Array<{ name: string } & SourcedEntries>,
  rulesetVersion: string,
  pageUrl: (id: string) => string,
): string {
  const body = [
    '<h1>bfr-rx rules</h1>',
    '<p>Every rule the service runs, ruleset by ruleset, in evaluation order, and the table entries that decide like rules. Each page gives what it decides, why, and its evidence.</p>',
    ...(rulesets.length + tables.length === 0 ? ['<p>No ruleset of that name.</p>'] : []),
    ...rulesets.map(
      ({ outline, rules }) =>
        `<section><h2>${escapeHtml(outline.title)} (${code(outline.name)})</h2><p>${escapeHtml(outline.description)}</p><ul>${rules
          .map((rule) => link(pageUrl(rule.id), rule.id, rule.version, rule.title))
          .join('')}</ul></section>`,
    ),
    ...tables.map(
      (table) =>
        `<section><h2>${escapeHtml(table.title)} (${code(table.name)})</h2><p>${escapeHtml(table.description)}</p><ul>${table.entries
          .map((entry) => link(pageUrl(entry.id), entry.id, entry.version, entry.title))
          .join('')}</ul></section>`,
    ),
  ].join('\n');
  return page('bfr-rx rules', body, FOOTER(rulesetVersion));
}

/** The page for a rule id the rule set does not hold. */
export function ruleNotFoundHtml(id: string, rulesetVersion: string, catalogueUrl: string): string {
  const body = [
    '<h1>No such rule</h1>',
    `<p>The rule set ${code(rulesetVersion)} has no rule ${code(id)}. A card from an earlier rule set may name a rule that has since been renamed or removed.</p>`,
    `<p><a href="${escapeHtml(catalogueUrl)}">All rules</a></p>`,
  ].join('\n');
  return page('No such rule (bfr-rx)', body, FOOTER(rulesetVersion));
}
