import type { Evaluation, RuleCatalogue } from '../rules/catalogue';
import type { Phase } from './plan-phase';
import type { PlanFacts } from './plan-dose';
import { warningFrom } from './plan-notices';
import type { PlanCaution, PlanWarning, Schedule } from './plan.schema';
import type { ScheduleParameter, ScheduleValues } from './prescription.rulesets';
import { attachedWarningOf } from './rule-params';
import { resolveSettings } from './rule-settings';
import { SAFETY_ENVELOPE } from './safety-envelope';

const SCHEDULE_PARAMETERS: readonly ScheduleParameter[] = [
  'sessionsPerWeek',
  'minHoursBetweenSessions',
  'programWeeks',
  'progression',
  'supervision',
  'maxExercisesFirstSession',
];

/** How often, for how long and how the plan moves on, from the schedule rules of the phase; progression never passes the envelope's load ceiling. */
export function scheduleOf(
  catalogue: RuleCatalogue,
  facts: PlanFacts,
  phase: Phase,
): { schedule: Schedule; evaluation: Evaluation; notices: Array<PlanCaution | PlanWarning> } {
  const evaluation = catalogue.evaluate('schedule', { ...facts, phase: phase.id, stage: phase.stage });
  const timing = resolveSettings<ScheduleValues, ScheduleParameter>(
    evaluation.fired,
    SCHEDULE_PARAMETERS,
    'the schedule',
  );
  const notices = evaluation.fired.flatMap((fired) => {
    const warning = attachedWarningOf(fired);
    return warning ? [warningFrom(fired, warning, 'schedule', null)] : [];
  });
  return { schedule: { ...timing, loadCeilingPercent1RM: SAFETY_ENVELOPE.maxLoadPercent1RM }, evaluation, notices };
}
