import { DomainError, ErrorCode } from '../common/problem';
import type { FiredRule, RuleCatalogue } from '../rules/catalogue';
import type { Verdict } from '../screening/screening.ruleset';
import type { ScreeningOutcome } from '../screening/screening.schema';
import { type Exercise, exerciseCatalogue } from './exercise-catalogue';
import type { Phase } from './plan-phase';
import { siteName } from './plan-notices';
import type { Plan } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';

/** An exercise of the phase on one side, before its LOP and dose. */
export interface Candidate {
  exercise: Exercise;
  side: 'left' | 'right';
  injuredSide: boolean;
  basis: FiredRule;
}

const USABLE_SITE: readonly Verdict[] = ['clear', 'caution'];

/** The phase's exercises on the sides it asks for, less those the request rules out, with the reasons. */
export function candidatesOf(
  phase: Phase,
  request: PrescriptionRequest,
  screening: ScreeningOutcome,
  catalogue: RuleCatalogue,
) {
  const exercises = new Map(catalogue.table(exerciseCatalogue).exercises.map((e) => [e.id, e]));
  const injured = request.indication.side;
  const other: Candidate['side'] = injured === 'left' ? 'right' : 'left';
  const kept: Candidate[] = [];
  const omitted: Plan['omitted'] = [];
  for (const entry of phase.exercises) {
    const exercise = exercises.get(entry.exercise);
    if (!exercise) {
      // The catalogue check refuses a ruleset that names an exercise the catalogue lacks.
      throw new DomainError(
        ErrorCode.PlanNotPossible,
        `The phase "${phase.label}" names the exercise ${entry.exercise}, which is not in the catalogue; the rules need correcting.`,
      );
    }
    for (const side of entry.sides === 'both' ? [injured, other] : [injured]) {
      const site = { limb: exercise.cuffSite, side };
      const missing = request.equipment ? exercise.equipment.filter((e) => !request.equipment!.includes(e)) : [];
      const verdict = screening.limbs.find((l) => l.limb === site.limb && l.side === side)?.verdict;
      const reason =
        missing.length > 0
          ? `needs ${missing.join(', ')}, which the patient does not have`
          : verdict === undefined
            ? `the ${siteName(site)} is not a planned cuff site`
            : !USABLE_SITE.includes(verdict)
              ? `the screening of the ${siteName(site)} is ${verdict}`
              : undefined;
      if (reason) {
        omitted.push({ exercise: exercise.id, side, reason, measurement: null });
      } else {
        kept.push({ exercise, side, injuredSide: side === injured, basis: phase.fired });
      }
    }
  }
  if (!kept.some((c) => c.injuredSide)) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `None of the exercises of the phase "${phase.label}" can be done on the injured side: ${omitted.map((o) => `${o.exercise} (${o.side}): ${o.reason}`).join('; ')}.`,
      undefined,
      { extensions: { omitted } },
    );
  }
  return { kept, omitted };
}
