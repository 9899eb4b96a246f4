import { randomUUID } from 'node:crypto';

import { rulePageUrl, rulesPageUrl } from '../../rules/rule-page';
import type { ScreeningFinding } from '../../screening/screening.schema';
import { CANONICAL } from '../fhir/codes';
import type { MappedSource } from '../fhir/mapped-source';
import type { CdsCard, CdsCoding } from './cds-hooks.schema';
import type { PrefetchKey } from './cds-services';
import type { ExplainedCard } from './issued-cards';
import { type GatheredRecord, PREFETCH_CONTENT } from './prefetch';
import { DEMOGRAPHIC_NAMES, type RecordScreening } from './record-screening';

const TOPIC_SYSTEM = `${CANONICAL}/CodeSystem/bfr-cds-topic`;
export const OVERRIDE_SYSTEM = `${CANONICAL}/CodeSystem/bfr-override-reason`;

/** Why a clinician may set a warning aside; the feedback on them is counted per rule. */
export const OVERRIDE_REASONS: Array<CdsCoding & { display: string }> = [
  { system: OVERRIDE_SYSTEM, code: 'record-outdated', display: 'The record is out of date or wrong' },
  { system: OVERRIDE_SYSTEM, code: 'physician-cleared', display: 'Reviewed and cleared by a physician' },
  { system: OVERRIDE_SYSTEM, code: 'benefit-outweighs-risk', display: 'Benefit outweighs the risk; patient informed' },
  { system: OVERRIDE_SYSTEM, code: 'bfr-not-planned', display: 'No BFR training is planned for this patient' },
];

const topic = (code: string, display: string): CdsCoding => ({ system: TOPIC_SYSTEM, code, display });

/** Short names of the prefetch keys, for a summary line. */
const PREFETCH_SHORT: Record<PrefetchKey, string> = {
  patient: 'patient',
  conditions: 'problem list',
  bloodPressure: 'blood pressure',
  bodyWeight: 'weight',
  bodyHeight: 'height',
  medications: 'medications',
  procedures: 'procedures',
  screeningAnswers: 'screening answers',
  lop: 'LOP',
  limbCircumference: 'limb circumference',
};

/** The request items a screening fact is computed from, to cite the record behind an input. */
const ITEMS_OF_FACT: Record<string, string[]> = {
  systolicBp: ['bloodPressure'],
  diastolicBp: ['bloodPressure'],
  bloodPressureAgeDays: ['bloodPressure'],
  bmi: ['patient.heightCm', 'patient.weightKg'],
  ageYears: ['patient.birthDate'],
  sex: ['patient.sex'],
  daysSinceSurgery: ['surgeryDate', 'recentSurgery'],
};

/** Where the cards are read and what the EHR did not give: the setting every card states. */
export interface CardSetting {
  baseUrl: string;
  unavailable: GatheredRecord['unavailable'];
}

export const shortVersion = (version: string) => version.slice(0, 12);

/** CDS Hooks asks for a summary under 140 characters. */
export function clip(text: string, max = 139): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

const SITE_ORIGIN: Record<RecordScreening['sites']['origin'], string> = {
  order: 'from the order',
  'screening answers': 'from the screening answers',
  assumed: 'assumed; neither the hook nor the screening answers name one',
};

const siteName = (site: { limb: string; side: string }) => `${site.side} ${site.limb.replace('-', ' ')}`;

function recordLine(source: MappedSource, baseUrl: string): string {
  const what = source.display ?? (source.code ? 'coded' : undefined);
  const code = source.code ? ` (${source.code})` : '';
  const date = source.date ? `, dated ${source.date}` : '';
  const check = source.matchedBy === 'text' ? '; recognised by its name only, check it' : '';
  const mapping = source.mapping ? ` ([\`${source.mapping}\`](${rulePageUrl(baseUrl, source.mapping)}))` : '';
  return `- ${source.reference}: ${what ? `${what}${code}${date} gives ` : date ? `${date.slice(2)}: ` : ''}${source.item} = ${source.value ?? 'yes'}${check}${mapping}`;
}

function recordBehind(finding: ScreeningFinding, screening: RecordScreening, baseUrl: string): string[] {
  // The VTE points read every answer and measurement.
  const all = 'vteScore' in finding.inputs;
  const items = new Set(
    Object.keys(finding.inputs).flatMap((fact) => ITEMS_OF_FACT[fact] ?? [finding.site ? `limbs.${fact}` : fact]),
  );
  const lines = screening.sources
    .filter((source) => (all && source.item !== 'patient.ref') || items.has(source.item))
    .map((source) => recordLine(source, baseUrl));
  lines.push(...screening.overridden.filter((o) => items.has(o.item)).map((o) => `- ${o.note}`));
  if (screening.answers && (all || lines.length === 0)) {
    lines.push(
      `- ${screening.answers.reference}: the clinician's screening answers of ${screening.answers.authoredOn}`,
    );
  }
  return lines.length > 0
    ? lines
    : ['- nothing in the record: the rule read an unknown answer or a missing measurement'];
}

function vteLines(finding: ScreeningFinding, screening: RecordScreening): string[] {
  if (!('vteScore' in finding.inputs)) {
    return [];
  }
  return [
    '',
    '**VTE points** (items answered yes; an item not answered that could take the score above the limit is asked):',
    ...screening.vteFactors.map((f) => `- ${f.factor}: ${f.points} (\`${f.ruleId}\`)`),
  ];
}

function evidenceLines(finding: ScreeningFinding): string[] {
  return finding.evidence.map((e) => `- ${e.source} (${e.level})${e.note ? `: ${e.note}` : ''}`);
}

/** A referral settled by a clearance that names it counts as a caution, as in the screening itself. */
const effectiveVerdict = (finding: ScreeningFinding) => (finding.cleared ? 'caution' : finding.verdict);

function findingCard(finding: ScreeningFinding, screening: RecordScreening, setting: CardSetting): ExplainedCard {
  const site = finding.site ? siteName(finding.site) : undefined;
  const clearance = finding.cleared ? finding.clearance : undefined;
  // A site finding rules out that site only; it is absolute when the order puts the cuff there.
  const absolute =
    finding.verdict === 'contraindicated' && (finding.site === null || screening.sites.origin === 'order');
  const summary =
    finding.verdict === 'contraindicated'
      ? site
        ? `No BFR cuff on the ${site}: ${finding.title}`
        : `BFR contraindicated: ${finding.title}`
      : effectiveVerdict(finding) === 'refer'
        ? `BFR needs a medical clearance first: ${finding.title}`
        : `BFR with care: ${finding.title}`;
  const page = rulePageUrl(setting.baseUrl, finding.ruleId);
  const detail = [
    `**${finding.clinicianMessage}**`,
    '',
    `Rule [\`${finding.ruleId}\` version ${finding.ruleVersion}](${page}): ${finding.title}. Rule set \`${shortVersion(screening.rulesetVersion)}\`, screened on ${screening.screenedOn}.` +
      (site ? ` Cuff site: ${site} (${SITE_ORIGIN[screening.sites.origin]}).` : ''),
    '',
    '**From the EHR record:**',
    ...recordBehind(finding, screening, setting.baseUrl),
    '',
    `**Inputs the rule read:** ${Object.entries(finding.inputs)
      .map(([fact, value]) => `${fact} = ${JSON.stringify(value)}`)
      .join(', ')}`,
    ...vteLines(finding, screening),
    '',
    '**Evidence:**',
    ...evidenceLines(finding),
    ...(clearance
      ? [
          '',
          `**Cleared** by ${clearance.by} on ${clearance.on} (the clearance names \`${finding.ruleId}\`): ${clearance.note}`,
        ]
      : []),
    ...(effectiveVerdict(finding) === 'refer'
      ? [
          '',
          `**To clear it:** record a clearance that names \`${finding.ruleId}\`; a clearance that does not name it leaves the referral in place.`,
        ]
      : []),
    ...(finding.modifications?.length ? ['', `**If BFR goes ahead:** ${finding.modifications.join(', ')}.`] : []),
    '',
    'A suggestion for the clinician: review the rule and the record before acting.',
  ].join('\n');
  const card: CdsCard = {
    uuid: randomUUID(),
    summary: clip(summary),
    detail,
    indicator: absolute ? 'critical' : 'warning',
    source: {
      label: `bfr-rx rules ${shortVersion(screening.rulesetVersion)}`,
      url: page,
      topic:
        finding.verdict === 'contraindicated'
          ? topic('contraindication', 'Contraindication to BFR')
          : effectiveVerdict(finding) === 'refer'
            ? topic('clearance-needed', 'Medical clearance needed')
            : topic('caution', 'BFR with modifications'),
    },
    overrideReasons: OVERRIDE_REASONS,
    links: [
      { label: `Rule ${finding.ruleId} v${finding.ruleVersion}: logic and evidence`, url: page, type: 'absolute' },
    ],
  };
  return {
    card,
    basis: {
      rules: [{ ruleId: finding.ruleId, version: finding.ruleVersion }],
      rulesetVersion: screening.rulesetVersion,
    },
  };
}

/** Rule links on a card: each rule when they are few, else the catalogue (the detail links each rule). */
const MAX_RULE_LINKS = 5;

type Asked = Map<string, { finding: ScreeningFinding; sites: string[] }>;

/** The incomplete card's detail: what the EHR could not give, what to ask, and what stands meanwhile. */
function incompleteDetail(
  screening: RecordScreening,
  setting: CardSetting,
  asks: Asked,
  pending: RecordScreening['untilAnswered'],
): string {
  const unused = screening.unusedAnswers;
  return [
    'The EHR record can only say yes: what it does not hold stays unknown, never "no", and a plan needs every item answered.',
    ...(setting.unavailable.length > 0
      ? [
          '',
          '**Not checked, EHR data not obtained:**',
          ...setting.unavailable.map((u) => `- ${PREFETCH_CONTENT[u.key]}: ${u.reason}`),
        ]
      : []),
    ...(unused
      ? [
          '',
          `**Screening answers not used:** ${unused.reference}${unused.authoredOn ? ` of ${unused.authoredOn}` : ''}: ${unused.reason} ([\`${unused.entry.id}\` v${unused.entry.version}](${rulePageUrl(setting.baseUrl, unused.entry.id)})). Every item they answered stays unknown until asked again.`,
        ]
      : []),
    ...(screening.lacking.length > 0
      ? [
          '',
          `**Not in the record:** ${screening.lacking.map((d) => DEMOGRAPHIC_NAMES[d]).join(', ')}. Rules that read age, sex, BMI or the VTE points were not counted.`,
        ]
      : []),
    ...(screening.refused.length > 0
      ? ['', '**Not screened, values refused:**', ...screening.refused.map((r) => `- ${r}`)]
      : []),
    ...(asks.size > 0
      ? [
          '',
          '**To answer or measure before BFR:**',
          ...[...asks.values()].map(
            ({ finding, sites }) =>
              `- ${finding.title} ([\`${finding.ruleId}\` v${finding.ruleVersion}](${rulePageUrl(setting.baseUrl, finding.ruleId)}))${sites.length > 0 ? `, at the ${sites.join(' and ')}` : ''}`,
          ),
        ]
      : []),
    ...(pending.length > 0
      ? [
          '',
          '**Until answered, these rules read the unknown as a risk:**',
          ...pending.map(
            (f) =>
              `- ${f.clinicianMessage} ([\`${f.ruleId}\` v${f.ruleVersion}](${rulePageUrl(setting.baseUrl, f.ruleId)}), ${f.verdict}${f.site ? `, ${siteName(f.site)}` : ''})`,
          ),
        ]
      : []),
    ...(screening.notes.length + screening.overridden.length > 0
      ? [
          '',
          '**Notes on the record:**',
          ...[...screening.overridden.map((o) => o.note), ...screening.notes].map((n) => `- ${n}`),
        ]
      : []),
    '',
    `Rule set \`${shortVersion(screening.rulesetVersion)}\`, screened on ${screening.screenedOn}.` +
      (screening.answers
        ? ` Screening answers: ${screening.answers.reference} of ${screening.answers.authoredOn}.`
        : unused
          ? ' No screening questionnaire answers recent enough to use.'
          : ' No screening questionnaire answers in the EHR.') +
      (screening.sites.origin === 'assumed'
        ? ' Cuff sites assumed: both thighs (neither the hook nor the screening answers name one).'
        : ''),
  ].join('\n');
}

function incompleteCard(screening: RecordScreening, setting: CardSetting): ExplainedCard | undefined {
  const asks: Asked = new Map();
  for (const finding of screening.findings.filter((f) => f.verdict === 'incomplete')) {
    const entry = asks.get(finding.ruleId) ?? { finding, sites: [] };
    if (finding.site) {
      entry.sites.push(siteName(finding.site));
    }
    asks.set(finding.ruleId, entry);
  }
  const pending = screening.untilAnswered;
  const unused = screening.unusedAnswers;
  if (
    asks.size === 0 &&
    pending.length === 0 &&
    screening.lacking.length === 0 &&
    screening.refused.length === 0 &&
    setting.unavailable.length === 0 &&
    !unused
  ) {
    return undefined;
  }
  const count = asks.size + screening.lacking.length;
  const notChecked = setting.unavailable.map((u) => PREFETCH_SHORT[u.key]);
  const summary =
    notChecked.length > 0
      ? `BFR screen incomplete: EHR data not checked (${notChecked.join(', ')}); ${count} items to supply`
      : screening.refused.length > 0
        ? 'BFR screen not run: the EHR record has values the screening refuses'
        : unused
          ? `BFR screen incomplete: screening answers ${unused.authoredOn ? `of ${unused.authoredOn}` : 'without a date'} not used; ${count} items to answer or measure`
          : `BFR screen incomplete: ${count} items to answer or measure before BFR`;
  const rules = [
    ...new Map(
      [...[...asks.values()].map(({ finding }) => finding), ...pending].map((f) => [
        f.ruleId,
        { ruleId: f.ruleId, version: f.ruleVersion },
      ]),
    ).values(),
    ...(unused ? [{ ruleId: unused.entry.id, version: unused.entry.version }] : []),
  ];
  const catalogue = rulesPageUrl(setting.baseUrl, 'screening');
  const detail = incompleteDetail(screening, setting, asks, pending);
  const card: CdsCard = {
    uuid: randomUUID(),
    summary: clip(summary),
    detail,
    indicator: 'info',
    source: {
      label: `bfr-rx rules ${shortVersion(screening.rulesetVersion)}`,
      url: catalogue,
      topic: topic('screening-incomplete', 'BFR screening incomplete'),
    },
    links:
      rules.length > 0 && rules.length <= MAX_RULE_LINKS
        ? rules.map((r) => ({
            label: `Rule ${r.ruleId} v${r.version}: logic and evidence`,
            url: rulePageUrl(setting.baseUrl, r.ruleId),
            type: 'absolute' as const,
          }))
        : [{ label: 'The screening rules: logic and evidence', url: catalogue, type: 'absolute' }],
  };
  return { card, basis: { rules, rulesetVersion: screening.rulesetVersion } };
}

const ORDER: Record<CdsCard['indicator'], number> = { critical: 0, warning: 1, info: 2 };

/**
 * The cards of a screening: one per contraindication (critical when it rules out BFR, or the
 * ordered cuff site) or finding that needs a clearance or care (warning; cautions left out when a
 * protocol card carries them), and one that names everything missing, including EHR data that could
 * not be read (info). No card when nothing needs saying.
 */
export function screeningCards(
  screening: RecordScreening,
  setting: CardSetting,
  { cautions = true }: { cautions?: boolean } = {},
): ExplainedCard[] {
  const cards = screening.findings
    .filter((f) => f.verdict !== 'incomplete' && (cautions || effectiveVerdict(f) !== 'caution'))
    .map((f) => findingCard(f, screening, setting));
  const incomplete = incompleteCard(screening, setting);
  return [...cards, ...(incomplete ? [incomplete] : [])].sort(
    (a, b) => ORDER[a.card.indicator] - ORDER[b.card.indicator],
  );
}
