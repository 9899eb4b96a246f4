import type { CarePlan } from '@medplum/fhirtypes';

import { BFR } from './codes';
import { urnFor } from './fhir-ids';
import { idFor, type PlanSource, PRESCRIPTION_SYSTEM, requestStatus, subjectOf, userReference } from './plan-source';

const addDays = (day: string, days: number) => new Date(Date.parse(day) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The BFR programme: the phase, the period the schedule covers, who signed it, and one activity
 * per order (each exercise block and its cuff setting), referenced by their ids in the Bundle.
 */
export function carePlanFor(source: PlanSource, activityIds: readonly string[]): CarePlan {
  const { plan, prescription } = source;
  const start = plan.generatedOn;
  const author = prescription?.approval?.by ?? prescription?.createdBy;
  return {
    resourceType: 'CarePlan',
    id: idFor(source, 'CarePlan'),
    ...(prescription ? { identifier: [{ system: PRESCRIPTION_SYSTEM, value: prescription.id }] } : {}),
    status: requestStatus(source),
    intent: 'plan',
    category: [{ coding: [BFR.bfrProgramme] }],
    title: `BFR plan: ${plan.phase.label}, ${plan.indication.side} side${prescription ? ` (version ${prescription.version})` : ''}`,
    description: plan.phase.clinicianMessage,
    subject: subjectOf(source),
    period: { start, end: addDays(start, plan.schedule.programWeeks.value * 7) },
    ...(prescription ? { created: prescription.createdAt } : {}),
    ...(author ? { author: userReference(author) } : {}),
    activity: activityIds.map((id) => ({ reference: { reference: urnFor(id) } })),
    note: [
      {
        text: `Phase ${plan.phase.id} (${plan.phase.stage}, evidence ${plan.phase.evidenceGrade}) chosen by ${plan.phase.basis.map((r) => `${r.ruleId} v${r.version}`).join(', ')}; ruleset ${plan.rulesetVersion}.`,
      },
      { text: `Progression: ${plan.schedule.progression.value.clinicianMessage}` },
      ...plan.cautions.map((c) => ({ text: `Caution ${c.id}: ${c.message}` })),
    ],
  };
}
