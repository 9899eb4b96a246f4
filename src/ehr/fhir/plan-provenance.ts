import type { Provenance } from '@medplum/fhirtypes';

import { SYSTEM } from './codes';
import { urnFor } from './fhir-ids';
import { idFor, type PlanSource, RULESET_SYSTEM, userReference } from './plan-source';

const participant = (code: string, display: string) => ({
  coding: [{ system: SYSTEM.provenanceParticipant, code, display }],
});

/**
 * Who and what made the plan: the approving clinician as author (the one who made the draft as
 * enterer while it is not approved), bfr-rx as assembler, and the ruleset version the plan was
 * computed with as its source.
 */
export function planProvenanceFor(source: PlanSource, targetIds: readonly string[]): Provenance {
  const { plan, prescription } = source;
  const approval = prescription?.approval;
  return {
    resourceType: 'Provenance',
    id: idFor(source, 'Provenance'),
    target: targetIds.map((id) => ({ reference: urnFor(id) })),
    recorded: approval?.at ?? prescription?.createdAt ?? `${plan.generatedOn}T00:00:00Z`,
    agent: [
      ...(approval ? [{ type: participant('author', 'Author'), who: userReference(approval.by) }] : []),
      ...(prescription && !approval
        ? [{ type: participant('enterer', 'Enterer'), who: userReference(prescription.createdBy) }]
        : []),
      { type: participant('assembler', 'Assembler'), who: { display: 'bfr-rx' } },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: RULESET_SYSTEM, value: plan.rulesetVersion },
          display: `bfr-rx ruleset ${plan.rulesetVersion}`,
        },
      },
    ],
  };
}
