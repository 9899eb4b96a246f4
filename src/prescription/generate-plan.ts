import { invalidFields } from '../common/field-errors';
import type { RuleCatalogue, RuleTrace } from '../rules/catalogue';
import { screenPatient } from '../screening/screen-patient';
import { daysBetween } from '../screening/screening-facts';
import { CONDITIONS, type BodyPosition } from './indication';
import { candidatesOf } from './plan-candidates';
import { doseExercise } from './plan-dose';
import { holdToEnvelope } from './plan-envelope';
import { lopKey, resolveLops, withUsableLop } from './plan-lops';
import { lopNotices, Notices, screeningCautions, siteName, warningFrom } from './plan-notices';
import { phaseOf, refuseArmOnly } from './plan-phase';
import { scheduleOf } from './plan-schedule';
import { dateErrors, refuseUnlessScreened } from './plan-screen';
import type { Plan } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';
import { warningOf } from './rule-params';
import { ruleRef } from './rule-settings';
import { screeningRequestOf } from './surgery-date';

/** Every rule evaluation behind a plan, so a stored plan can be explained and reproduced. */
export interface PlanTrace {
  selection: RuleTrace[];
  lop: Array<{ site: string; position: BodyPosition; trace: RuleTrace[] }>;
  dosing: Array<{ exercise: string; side: string; trace: RuleTrace[] }>;
  schedule: RuleTrace[];
}

export interface GeneratedPlan {
  plan: Plan;
  trace: PlanTrace;
}

/**
 * A plan whose trace is built when first read: the service keeps its hash, a CDS card or a bench
 * run does not need it. A class rather than an object literal with a getter, which V8 makes costly
 * to collect (see the compiled rules' evaluation).
 */
class PlanWithTrace implements GeneratedPlan {
  private built: PlanTrace | undefined;

  constructor(
    readonly plan: Plan,
    private readonly buildTrace: () => PlanTrace,
  ) {}

  get trace(): PlanTrace {
    this.built ??= this.buildTrace();
    return this.built;
  }
}

const weeks = (days: number) => Math.floor(days / 7);

/** The phase as the plan states it, with the rule that chose it. */
function plannedPhase(phase: ReturnType<typeof phaseOf>) {
  const { id, label, stage, evidenceGrade, clinicianMessage, patientMessage } = phase;
  return { id, label, stage, evidenceGrade, clinicianMessage, patientMessage, basis: [ruleRef(phase.fired)] };
}

/**
 * Makes a BFR plan: screen (the same function as POST /v1/screenings), select the phase and its
 * exercises, find each site's LOP, dose each exercise, set the schedule, then hold the whole plan
 * against the safety envelope. Deterministic: the same request, day and ruleset give the same plan.
 * Throws a DomainError whenever no safe plan can be made. Exercises that cannot be done (equipment,
 * cuff site, no usable LOP in their position) are left out and listed in `omitted`; the plan is
 * refused when the injured side is left with none.
 */
export async function generatePlan(
  catalogue: RuleCatalogue,
  request: PrescriptionRequest,
  generatedOn: string,
): Promise<GeneratedPlan> {
  const errors = dateErrors(request, generatedOn);
  if (errors.length > 0) {
    throw invalidFields('body', errors);
  }
  const screened = screeningRequestOf(request);
  const screening = await screenPatient(catalogue, screened.request, generatedOn, {
    surgicalIndication: screened.surgicalIndication,
  });
  refuseUnlessScreened(screening);

  const { indication } = request;
  const surgical = CONDITIONS[indication.condition].surgical;
  const weeksSinceSurgery = surgical ? weeks(daysBetween(indication.surgeryDate as string, generatedOn)) : null;
  const weeksSinceOnset = surgical ? null : weeks(daysBetween(indication.onsetDate as string, generatedOn));
  const facts = {
    condition: indication.condition,
    goal: request.goal,
    newToBfr: request.newToBfr,
    modifications: screening.modifications,
  };
  const selection = catalogue.evaluate('selection', {
    ...facts,
    weeksSinceSurgery,
    weeksSinceOnset,
    weightBearing: indication.weightBearing,
    clearedFindings: (request.clearances ?? []).flatMap((c) => c.findings),
  });
  const phase = phaseOf(selection, indication.condition);
  refuseArmOnly(catalogue, request);
  const notices = new Notices();
  screeningCautions(screening).forEach((c) => notices.add(c));
  for (const fired of selection.fired.filter((f) => f.event.type === 'warning')) {
    notices.add(warningFrom(fired, warningOf(fired), 'selection', null));
  }

  const { kept, omitted } = candidatesOf(phase, request, screening, catalogue);
  const lops = await resolveLops(catalogue, request, screening, kept, generatedOn);
  const { usable, lopOmitted } = withUsableLop(kept, lops, request, phase);
  omitted.push(...lopOmitted);
  for (const resolution of new Set(usable.map((c) => lops.get(lopKey(c))!))) {
    lopNotices(resolution).forEach((n) => notices.add(n));
  }

  const dosed = usable.map((candidate) => {
    const lop = lops.get(lopKey(candidate))!;
    const exercise = doseExercise(catalogue, facts, phase, candidate, lop, request.oneRepMaxKg[candidate.exercise.id]);
    exercise.notices.forEach((n) => notices.add(n));
    return { ...exercise, side: candidate.side };
  });
  holdToEnvelope(dosed.map((d) => d.envelope));

  const scheduling = scheduleOf(catalogue, facts, phase);
  scheduling.notices.forEach((n) => notices.add(n));
  return new PlanWithTrace(
    {
      generatedOn,
      rulesetVersion: catalogue.version,
      indication: {
        condition: indication.condition,
        side: indication.side,
        weightBearing: indication.weightBearing,
        weeksSinceSurgery,
        weeksSinceOnset,
      },
      phase: plannedPhase(phase),
      exercises: dosed.map((d, i) => ({ order: i + 1, ...d.planned })),
      schedule: scheduling.schedule,
      cautions: notices.cautions,
      warnings: notices.warnings,
      omitted,
      screening,
    },
    () => ({
      selection: selection.trace,
      lop: [...lops.values()].map((r) => ({ site: siteName(r.site), position: r.position, trace: r.evaluation.trace })),
      dosing: dosed.map(({ planned, side, evaluation }) => ({
        exercise: planned.exercise.id,
        side,
        trace: evaluation.trace,
      })),
      schedule: scheduling.evaluation.trace,
    }),
  );
}
