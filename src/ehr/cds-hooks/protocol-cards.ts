import { randomUUID } from 'node:crypto';

import { CONDITIONS, type Goal } from '../../prescription/indication';
import type { Plan, PlannedExercise } from '../../prescription/plan.schema';
import type { RuleCatalogue } from '../../rules/catalogue';
import { rulePageUrl, rulesPageUrl } from '../../rules/rule-page';
import { CANONICAL } from '../fhir/codes';
import { doseText, planRequests } from '../fhir/plan-requests';
import { referenceTo } from '../fhir/record-values';
import type { CdsCard, CdsCoding, FhirResource } from './cds-hooks.schema';
import type { ExplainedCard } from './issued-cards';
import type { ProtocolOption, Proposal } from './protocol-proposal';
import { clip, shortVersion } from './screening-cards';

const TOPIC = {
  system: `${CANONICAL}/CodeSystem/bfr-cds-topic`,
  code: 'protocol-proposal',
  display: 'BFR protocol proposal',
};
const OVERRIDE_SYSTEM = `${CANONICAL}/CodeSystem/bfr-override-reason`;

/** Why a clinician may not take any of the proposed protocols. */
export const PROTOCOL_OVERRIDE_REASONS: Array<CdsCoding & { display: string }> = [
  { system: OVERRIDE_SYSTEM, code: 'own-protocol', display: 'Using my own BFR protocol' },
  { system: OVERRIDE_SYSTEM, code: 'not-yet', display: 'Not yet: more assessment first' },
  { system: OVERRIDE_SYSTEM, code: 'patient-declined', display: 'The patient declined BFR training' },
];

const MAX_RULE_LINKS = 5;

const goalName = (goal: Goal) => `${goal[0].toUpperCase()}${goal.slice(1).replaceAll('-', ' ')}`;
const siteName = (e: PlannedExercise) => `${e.site.side} ${e.site.limb.replace('-', ' ')}`;

/** Every rule a plan names anywhere (phase, selection, doses, schedule, cautions, screening), with its version. */
function rulesOf(plans: Plan[], catalogue: RuleCatalogue): Array<{ ruleId: string; version: number }> {
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      const ruleId = (value as { ruleId?: unknown }).ruleId;
      if (typeof ruleId === 'string') {
        ids.add(ruleId);
      }
      Object.values(value).forEach(walk);
    }
  };
  walk(plans);
  return [...ids].flatMap((ruleId) => {
    const found = catalogue.rule(ruleId);
    return found ? [{ ruleId, version: found.rule.version }] : [];
  });
}

function label(option: ProtocolOption, recommended: boolean): string {
  const { plan } = option;
  const { min, max } = plan.schedule.sessionsPerWeek.value;
  const pressures = [...new Set(plan.exercises.map((e) => e.dose.pressure.lopPercent))].sort((a, b) => a - b);
  const pressure = pressures.length > 1 ? `${pressures[0]}-${pressures[pressures.length - 1]}` : `${pressures[0]}`;
  return `${goalName(option.goal)}${recommended ? ' (as ordered)' : ''}: ${plan.exercises.length} exercises at ${pressure} % LOP, ${min === max ? min : `${min}-${max}`} sessions a week for ${plan.schedule.programWeeks.value} weeks`;
}

/** The orders a suggestion creates: an exercise order and a cuff setting per exercise block, as new drafts. */
function createActions(plan: Plan, patientId: string) {
  return planRequests({ plan, subject: { reference: `Patient/${patientId}` } }).flatMap(
    ({ serviceRequest, deviceRequest }, i) => {
      const e = plan.exercises[i];
      // Created resources get their ids from the EHR; a reference between two of them cannot be written before that.
      const { id: _serviceId, ...exerciseOrder } = serviceRequest;
      const { id: _deviceId, basedOn: _basedOn, ...cuffSetting } = deviceRequest;
      const { pressure } = e.dose;
      return [
        {
          type: 'create' as const,
          description: `Add ${e.exercise.name} with the cuff on the ${siteName(e)}`,
          resource: exerciseOrder as FhirResource,
        },
        {
          type: 'create' as const,
          description: `Add the cuff setting for ${e.exercise.name}: ${pressure.mmHg} mmHg (${pressure.lopPercent} % of LOP ${pressure.lop.mmHg} mmHg), first session ${pressure.startMmHg} mmHg`,
          resource: cuffSetting as FhirResource,
        },
      ];
    },
  );
}

function optionDetail(option: ProtocolOption, recommended: boolean, baseUrl: string): string[] {
  const { plan } = option;
  const schedule = plan.schedule;
  const lops = [...new Map(plan.exercises.map((e) => [siteName(e), e.dose.pressure.lop])).entries()].map(
    ([site, lop]) =>
      lop.source === 'measured'
        ? `${site} ${lop.mmHg} mmHg measured ${lop.measuredOn} (${lop.method}, ${lop.position}, ${lop.cuffWidthCm} cm cuff)${lop.positionAdjustment ? `, carried to ${lop.positionAdjustment.toPosition} from ${lop.positionAdjustment.fromMmHg} mmHg × ${lop.positionAdjustment.factor}` : ''}`
        : `${site} ${lop.mmHg} mmHg estimated (${lop.estimate?.equation}): measure before use`,
  );
  const link = (ruleId: string) => `[\`${ruleId}\`](${rulePageUrl(baseUrl, ruleId)})`;
  return [
    '',
    `**${label(option, recommended)}**`,
    ...plan.exercises.map(
      (e) =>
        `- ${doseText(e)} Chosen by ${e.basis.map((r) => link(r.ruleId)).join(', ')}; pressure by ${e.dose.pressure.basis.lopPercent.map((r) => link(r.ruleId)).join(', ')}.`,
    ),
    `- Schedule: ${schedule.supervision.value}, at least ${schedule.minHoursBetweenSessions.value} h between sessions, at most ${schedule.maxExercisesFirstSession.value} exercises with the cuff in the first session. ${schedule.progression.value.clinicianMessage}`,
    `- LOP: ${lops.join('; ')}.`,
    ...plan.cautions.map((c) => `- To acknowledge at sign-off: ${c.message} (${link(c.ruleId)})`),
    ...plan.warnings.filter((w) => w.severity === 'warning').map((w) => `- Note: ${w.message} (${link(w.ruleId)})`),
  ];
}

/**
 * The order-select card: the protocols the rules make, each a suggestion that replaces the selected
 * draft order with an exercise order and a cuff setting per exercise block (all drafts, for the
 * clinician to edit and sign). At most one is taken.
 */
export function protocolCard(
  proposal: Extract<Proposal, { kind: 'plans' }>,
  selected: FhirResource[],
  patientId: string,
  catalogue: RuleCatalogue,
  baseUrl: string,
): ExplainedCard {
  const first = proposal.options[0].plan;
  const rules = rulesOf(
    proposal.options.map((o) => o.plan),
    catalogue,
  );
  const phaseRule = first.phase.basis[0]?.ruleId;
  const catalogueUrl = rulesPageUrl(baseUrl);
  const deletes = selected.map((order) => ({
    type: 'delete' as const,
    description: `Remove the drafted order ${referenceTo(order)}: the orders below replace it`,
    resourceId: referenceTo(order),
  }));
  const detail = [
    `BFR for ${CONDITIONS[first.indication.condition].label}, ${first.indication.side} side: ${first.phase.label}. ${first.phase.clinicianMessage}`,
    `Evidence for BFR in this condition: ${first.phase.evidenceGrade}. Rule set \`${shortVersion(first.rulesetVersion)}\`, planned on ${first.generatedOn}.`,
    ...proposal.options.flatMap((o) => optionDetail(o, o.goal === proposal.recommended, baseUrl)),
    '',
    '**From the EHR record:**',
    ...(proposal.sources.length > 0
      ? proposal.sources.map((s) => `- ${s.reference}: ${s.item} = ${s.value}${s.date ? `, dated ${s.date}` : ''}`)
      : ['- no measurements']),
    '',
    'Suggestions for the clinician: each adds draft orders to review, edit and sign; nothing is sent to a cuff from here.',
  ].join('\n');
  const card: CdsCard = {
    uuid: randomUUID(),
    summary: clip(
      `BFR protocol for ${CONDITIONS[first.indication.condition].label}, ${first.phase.label}: ${proposal.options.length} option${proposal.options.length === 1 ? '' : 's'}`,
    ),
    detail,
    indicator: 'info',
    source: {
      label: `bfr-rx rules ${shortVersion(first.rulesetVersion)}`,
      url: phaseRule ? rulePageUrl(baseUrl, phaseRule) : catalogueUrl,
      topic: TOPIC,
    },
    selectionBehavior: 'at-most-one',
    suggestions: proposal.options.map((option) => ({
      label: clip(label(option, option.goal === proposal.recommended), 200),
      uuid: randomUUID(),
      ...(option.goal === proposal.recommended ? { isRecommended: true } : {}),
      actions: [...deletes, ...createActions(option.plan, patientId)],
    })),
    overrideReasons: PROTOCOL_OVERRIDE_REASONS,
    links:
      rules.length <= MAX_RULE_LINKS
        ? rules.map((r) => ({
            label: `Rule ${r.ruleId} v${r.version}: logic and evidence`,
            url: rulePageUrl(baseUrl, r.ruleId),
            type: 'absolute' as const,
          }))
        : [
            {
              label: `The ${rules.length} rules behind these protocols: logic and evidence`,
              url: catalogueUrl,
              type: 'absolute',
            },
          ],
  };
  return { card, basis: { rules, rulesetVersion: first.rulesetVersion } };
}

/** Why no protocol is proposed for the selected order, when the screening does not already say so. */
export function noProtocolCard(
  proposal: Extract<Proposal, { kind: 'none' }>,
  catalogue: RuleCatalogue,
  baseUrl: string,
): ExplainedCard {
  const rules = proposal.ruleIds.flatMap((ruleId) => {
    const found = catalogue.rule(ruleId);
    return found ? [{ ruleId, version: found.rule.version }] : [];
  });
  const card: CdsCard = {
    uuid: randomUUID(),
    summary: clip(
      `No BFR protocol proposed yet: ${proposal.reasons.length} thing${proposal.reasons.length === 1 ? '' : 's'} to supply or settle`,
    ),
    detail: [
      'A protocol needs every one of these; nothing is guessed.',
      '',
      ...proposal.reasons.map((r) => `- ${r}`),
      '',
      `Rule set \`${shortVersion(catalogue.version)}\`.`,
    ].join('\n'),
    indicator: 'info',
    source: { label: `bfr-rx rules ${shortVersion(catalogue.version)}`, url: rulesPageUrl(baseUrl), topic: TOPIC },
    links:
      rules.length > 0 && rules.length <= MAX_RULE_LINKS
        ? rules.map((r) => ({
            label: `Rule ${r.ruleId} v${r.version}: logic and evidence`,
            url: rulePageUrl(baseUrl, r.ruleId),
            type: 'absolute' as const,
          }))
        : [{ label: 'The rules: logic and evidence', url: rulesPageUrl(baseUrl), type: 'absolute' }],
  };
  return { card, basis: { rules, rulesetVersion: catalogue.version } };
}
