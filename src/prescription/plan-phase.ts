import { DomainError, ErrorCode } from '../common/problem';
import type { Evaluation, FiredRule, RuleCatalogue } from '../rules/catalogue';
import { exerciseCatalogue } from './exercise-catalogue';
import type { PrescriptionRequest } from './prescription-request.schema';
import type { PhaseParams } from './prescription.rulesets';
import { phaseParamsOf, stopParamsOf } from './rule-params';

export interface Phase extends Omit<PhaseParams, 'phase'> {
  id: string;
  fired: FiredRule;
}

/** The one phase the selection rules chose; a referral, a hold, none or several phases refuse the plan. */
export function phaseOf(selection: Evaluation, condition: string): Phase {
  const ofType = (type: string) => selection.fired.filter((f) => f.event.type === type);
  const refer = ofType('refer');
  if (refer.length > 0) {
    throw new DomainError(
      ErrorCode.ReferralRequired,
      `${refer.map((f) => `${f.rule.title} (${f.rule.id}): ${stopParamsOf(f).clinicianMessage}`).join(' ')} Record a clearance that names ${refer.map((f) => f.rule.id).join(', ')} in \`clearances\` and ask again.`,
    );
  }
  const hold = ofType('hold');
  if (hold.length > 0) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `${hold.map((f) => stopParamsOf(f).clinicianMessage).join(' ')} (${hold.map((f) => f.rule.id).join(', ')})`,
    );
  }
  const phases = ofType('phase');
  if (phases.length !== 1) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      phases.length === 0
        ? `No phase of the selection rules matches ${condition} at this time and weight bearing; the rules need correcting.`
        : `More than one phase matches (${phases.map((f) => f.rule.id).join(', ')}); the rules need correcting.`,
    );
  }
  const { phase, ...params } = phaseParamsOf(phases[0]);
  return { ...params, id: phase, fired: phases[0] };
}

/** Only arm cuff sites, for a condition none of whose phases puts a cuff on the arm: say so rather than list every exercise. */
export function refuseArmOnly(catalogue: RuleCatalogue, request: PrescriptionRequest): void {
  if (!request.limbs.every((l) => l.limb === 'upper-arm')) {
    return;
  }
  const { condition } = request.indication;
  const exercises = new Map(catalogue.table(exerciseCatalogue).exercises.map((e) => [e.id, e]));
  const phases = (catalogue.ruleset('selection')?.rules ?? [])
    .filter((r) => r.event.type === 'phase')
    .map(phaseParamsOf)
    .filter((p) => p.phase.startsWith(`${condition}.`));
  const armExercise = phases.some((p) => p.exercises.some((e) => exercises.get(e.exercise)?.cuffSite === 'upper-arm'));
  if (!armExercise) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `Only arm cuff sites were given, and no phase for ${condition} offers arm BFR: every exercise puts the cuff on the thigh. Plan a thigh cuff site (limbs) and ask again.`,
    );
  }
}
