import type { RuleDefinition } from './rule-file.schema';
import {
  entryPageHtml,
  escapeHtml,
  ruleIndexHtml,
  ruleNotFoundHtml,
  rulePageHtml,
  type RulesetOutline,
} from './rule-page';

const VERSION = 'f'.repeat(64);
const CATALOGUE = 'https://bfr.clinic.example/rules';

const ruleset: RulesetOutline = {
  name: 'screening',
  title: 'BFR screening',
  description: 'Decides whether BFR may start.',
  facts: {
    systolicBp: { description: 'Resting systolic pressure, mmHg; null when none is recorded.' },
    diastolicBp: { description: 'Resting diastolic pressure, mmHg.' },
    vteHistory: { description: 'Has the patient ever had a DVT or PE?' },
    bmi: { description: 'Body-mass index, kg/m².' },
  },
};

const rule = (overrides: Partial<RuleDefinition> = {}): RuleDefinition => ({
  id: 'ci.bp-severe',
  version: 2,
  title: 'Resting blood pressure at or above 180/110 mmHg',
  rationale: 'BFR raises blood pressure during exercise.',
  evidence: [
    { source: 'Nascimento et al. 2022, Front Physiol 13:808622, Table 5', level: 'confirmed' },
    { source: 'bfr-rx practice choice', level: 'unconfirmed', note: 'No source gives the band.' },
  ],
  conditions: {
    any: [
      { name: 'systolic-at-or-above-180', fact: 'systolicBp', operator: 'greaterThanInclusive', value: 180 },
      { name: 'diastolic-in-band', fact: 'diastolicBp', operator: 'inBand', value: { atLeast: 110, below: 200 } },
      { not: { name: 'no-vte', fact: 'vteHistory', operator: 'in', value: ['no', 'unknown'] } },
    ],
  },
  event: { type: 'finding', params: { verdict: 'contraindicated', clinicianMessage: 'Do not start BFR.' } },
  ...overrides,
});

describe('rule pages', () => {
  it('escapes HTML in every piece of rule text, so a rule file cannot put markup or script on the page', () => {
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const sut = rulePageHtml(
      rule({
        title: hostile,
        rationale: `Because ${hostile} & more`,
        evidence: [{ source: `<a href="javascript:alert(1)">${hostile}</a>`, level: 'secondary', note: hostile }],
        conditions: { all: [{ name: 'odd', fact: 'bmi', operator: 'equal', value: `</code>${hostile}` }] },
        event: { type: 'finding', params: { clinicianMessage: hostile, list: [hostile] } },
      }),
      { ...ruleset, title: hostile, description: hostile, facts: { bmi: { description: hostile } } },
      VERSION,
      CATALOGUE,
    );
    expect(sut).not.toMatch(/<script|<img|<a href="javascript/i);
    expect(sut).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(sut).toContain('Because &lt;script&gt;');
    expect(sut).toContain(' &amp; more');
    expect(escapeHtml(`'"<>&`)).toBe('&#39;&quot;&lt;&gt;&amp;');
  });

  it('is a small accessible page: language, title, headings, no scripts and no external assets', () => {
    const sut = rulePageHtml(rule(), ruleset, VERSION, CATALOGUE);
    expect(sut).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(sut).toContain(
      '<title>ci.bp-severe v2: Resting blood pressure at or above 180/110 mmHg (bfr-rx rule)</title>',
    );
    expect(sut.match(/<h1>/g)).toHaveLength(1);
    expect(sut).toContain('<h2>Evidence</h2>');
    expect(sut).not.toMatch(/<script|<link|<img|\ssrc=|@import|url\(/i);
    expect([...sut.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([CATALOGUE]);
  });

  it('states the rule, its version, the rule set version, what it decides, why, and every source with its level', () => {
    const sut = rulePageHtml(rule(), ruleset, VERSION, CATALOGUE);
    expect(sut).toContain('<code>ci.bp-severe</code>, version 2');
    expect(sut).toContain(`<code>${VERSION}</code>`);
    expect(sut).toContain('Decides whether BFR may start.');
    expect(sut).toContain('<dt><code>verdict</code></dt><dd>contraindicated</dd>');
    expect(sut).toContain('BFR raises blood pressure during exercise.');
    expect(sut).toContain(
      'Nascimento et al. 2022, Front Physiol 13:808622, Table 5</p><p class="level">Level: confirmed: checked against the primary source',
    );
    expect(sut).toContain('Level: unconfirmed: not checked against a source');
    expect(sut).toContain('No source gives the band.');
  });

  it('says in plain words what the conditions read and compare', () => {
    const sut = rulePageHtml(rule(), ruleset, VERSION, CATALOGUE);
    expect(sut).toContain('At least one of these holds:');
    expect(sut).toContain(
      'Resting systolic pressure, mmHg; null when none is recorded (<code>systolicBp</code>) is at least 180',
    );
    expect(sut).toContain('Resting diastolic pressure, mmHg (<code>diastolicBp</code>) is at least 110 and below 200');
    expect(sut).toContain(
      'This does not hold:<ul><li>Has the patient ever had a DVT or PE (<code>vteHistory</code>) is one of “no” or “unknown”',
    );
    expect(sut).toContain('<dt><code>vteHistory</code></dt><dd>Has the patient ever had a DVT or PE?</dd>');
  });

  const entry = {
    id: 'fhir.measurement.<b>lop</b>',
    version: 1,
    title: 'An LOP from the last 90 days',
    rationale: 'Older than a programme <i>ago</i>.',
    evidence: [{ source: 'bfr-rx practice choice', level: 'unconfirmed' as const }],
    settings: { measurement: 'lop', maxAgeDays: 90 },
  };
  const table = { name: 'fhir-mapping', title: 'FHIR R4 mapping', description: 'How EHR records answer items.' };

  it('shows a table entry that decides like a rule on a page like a rule, escaped as well', () => {
    const sut = entryPageHtml(entry, table, VERSION, CATALOGUE);
    expect(sut).toContain('<code>fhir.measurement.&lt;b&gt;lop&lt;/b&gt;</code>, version 1');
    expect(sut).toContain('<code>rules-data/fhir-mapping.data.json</code>: FHIR R4 mapping');
    expect(sut).toContain('<dt><code>maxAgeDays</code></dt><dd>90</dd>');
    expect(sut).toContain('Older than a programme &lt;i&gt;ago&lt;/i&gt;.');
    expect(sut).toContain('Level: unconfirmed');
    expect(sut).not.toMatch(/<b>|<i>/);
  });

  it('lists the rules and table entries with links to their pages, and names an unknown rule on a page of its own', () => {
    const index = ruleIndexHtml(
      [{ outline: ruleset, rules: [rule()] }],
      [{ ...table, entries: [entry] }],
      VERSION,
      (id) => `${CATALOGUE}/${id}`,
    );
    expect(index).toContain(
      `<a href="${CATALOGUE}/ci.bp-severe"><code>ci.bp-severe</code> v2</a>: Resting blood pressure at or above 180/110 mmHg`,
    );
    expect(index).toContain('<h2>FHIR R4 mapping (<code>fhir-mapping</code>)</h2>');
    const missing = ruleNotFoundHtml('ci.<b>gone</b>', VERSION, CATALOGUE);
    expect(missing).toContain('<h1>No such rule</h1>');
    expect(missing).toContain('<code>ci.&lt;b&gt;gone&lt;/b&gt;</code>');
  });
});
