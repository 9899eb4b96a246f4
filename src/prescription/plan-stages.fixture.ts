import { SCREENED_ON } from '../../test/factories';
import type { RuleCatalogue } from '../rules/catalogue';
import { screenPatient } from '../screening/screen-patient';
import { phaseOf } from './plan-phase';
import type { PrescriptionRequest } from './prescription-request.schema';
import { screeningRequestOf } from './surgery-date';

/** The screening, plan facts and phase of a request, as generatePlan reaches them, for testing the later stages alone. */
export async function stagesBefore(
  catalogue: RuleCatalogue,
  request: PrescriptionRequest,
  weeksSinceSurgery: number | null,
  weeksSinceOnset: number | null,
) {
  const screened = screeningRequestOf(request);
  const screening = await screenPatient(catalogue, screened.request, SCREENED_ON, {
    surgicalIndication: screened.surgicalIndication,
  });
  const facts = {
    condition: request.indication.condition,
    goal: request.goal,
    newToBfr: request.newToBfr,
    modifications: screening.modifications,
  };
  const selection = catalogue.evaluate('selection', {
    ...facts,
    weeksSinceSurgery,
    weeksSinceOnset,
    weightBearing: request.indication.weightBearing,
    clearedFindings: (request.clearances ?? []).flatMap((c) => c.findings),
  });
  return { screening, facts, phase: phaseOf(selection, request.indication.condition) };
}
