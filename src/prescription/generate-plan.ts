import { DomainError, ErrorCode } from '../common/problem';
import { invalidFields } from '../common/validation.pipe';
import type { Evaluation, FiredRule, RuleCatalogue, RuleTrace } from '../rules/catalogue';
import { screenPatient } from '../screening/screen-patient';
import { daysBetween } from '../screening/screening-facts';
import type { Verdict } from '../screening/screening.ruleset';
import type { ScreeningFinding, ScreeningOutcome } from '../screening/screening.schema';
import { type Exercise, exerciseCatalogue } from './exercise-catalogue';
import { type BodyPosition, CONDITIONS, type EvidenceGrade, type Stage } from './indication';
import { type LopFinding, type LopResolution, lopFor } from './lop-for';
import type { ExerciseDose, Plan, PlanCaution, PlannedExercise, PlanWarning, Schedule } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';
import type { DoseParameter, DoseValues, RuleWarning, ScheduleParameter, ScheduleValues } from './prescription.rulesets';
import { resolveSettings, ruleRef } from './rule-settings';
import { checkEnvelope, type EnvelopeBreach, type EnvelopeExercise, SAFETY_ENVELOPE } from './safety-envelope';
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

const DOSE_PARAMETERS: Record<Exercise['modality'], readonly DoseParameter[]> = {
  resistance: ['lopPercent', 'startLopPercent', 'rampStepLopPercent', 'loadPercent1RM', 'setScheme', 'restBetweenSetsSeconds', 'tempo', 'reperfusionSeconds', 'maxContinuousMinutes'],
  aerobic: ['lopPercent', 'startLopPercent', 'rampStepLopPercent', 'bouts', 'intensity', 'reperfusionSeconds', 'maxContinuousMinutes'],
  passive: ['lopPercent', 'startLopPercent', 'rampStepLopPercent', 'bouts', 'reperfusionSeconds', 'maxContinuousMinutes'],
};

const SCHEDULE_PARAMETERS: readonly ScheduleParameter[] = [
  'sessionsPerWeek',
  'minHoursBetweenSessions',
  'programWeeks',
  'progression',
  'supervision',
  'maxExercisesFirstSession',
];

const USABLE_SITE: readonly Verdict[] = ['clear', 'caution'];

const siteName = (site: { limb: string; side: string }) => `${site.side} ${site.limb}`;
const siteKey = (site: { limb: string; side: string }) => `${site.side}-${site.limb}`;
const weeks = (days: number) => Math.floor(days / 7);
const minutes = (seconds: number) => Math.round((seconds / 60) * 10) / 10;

/** Dates the screening does not check: the indication's and each LOP's. */
function dateErrors(request: PrescriptionRequest, generatedOn: string): Array<{ field: string; detail: string }> {
  const dates: Array<[string, string | undefined]> = [
    ['indication.surgeryDate', request.indication.surgeryDate],
    ['indication.onsetDate', request.indication.onsetDate],
    ...request.limbs.flatMap((limb, i) => limb.lop.map((m, j): [string, string] => [`limbs.${i}.lop.${j}.measuredOn`, m.measuredOn])),
  ];
  return dates.filter(([, date]) => date !== undefined && date > generatedOn).map(([field]) => ({ field, detail: `is after the day of the plan (${generatedOn})` }));
}

/** Only a clear or cautioned screening (a cleared referral is a caution) may lead to a plan. */
function refuseUnlessScreened(screening: ScreeningOutcome): void {
  const refusals: Partial<Record<Verdict, [ErrorCode, string]>> = {
    contraindicated: [ErrorCode.Contraindicated, 'BFR is contraindicated'],
    incomplete: [ErrorCode.ScreeningIncomplete, `The screening is incomplete: ${screening.missing.join('; ')}`],
    refer: [ErrorCode.ReferralRequired, 'A medical clearance is needed before BFR'],
  };
  const refusal = refusals[screening.verdict];
  if (refusal) {
    const decisive = screening.findings.filter((f) => f.verdict === screening.verdict && !f.cleared);
    const named = [...new Map(decisive.map((f) => [f.ruleId, `${f.title} (${f.ruleId})`])).values()].join('; ');
    const next = screening.verdict === 'refer' ? ' Record a clearance that names each of these findings in `clearances` and ask again.' : '';
    throw new DomainError(refusal[0], `${refusal[1]}: ${named}.${next} No plan was made.`, undefined, { extensions: { screening } });
  }
}

interface Phase {
  id: string;
  label: string;
  stage: Stage;
  evidenceGrade: EvidenceGrade;
  exercises: Array<{ exercise: string; sides: 'injured' | 'both' }>;
  clinicianMessage: string;
  patientMessage: string;
  fired: FiredRule;
}

function phaseOf(selection: Evaluation, condition: string): Phase {
  const ofType = (type: string) => selection.fired.filter((f) => f.event.type === type);
  const refer = ofType('refer');
  if (refer.length > 0) {
    throw new DomainError(
      ErrorCode.ReferralRequired,
      `${refer.map((f) => `${f.rule.title} (${f.rule.id}): ${String(f.event.params.clinicianMessage)}`).join(' ')} Record a clearance that names ${refer.map((f) => f.rule.id).join(', ')} in \`clearances\` and ask again.`,
    );
  }
  const hold = ofType('hold');
  if (hold.length > 0) {
    throw new DomainError(ErrorCode.PlanNotPossible, `${hold.map((f) => String(f.event.params.clinicianMessage)).join(' ')} (${hold.map((f) => f.rule.id).join(', ')})`);
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
  const params = phases[0].event.params as Omit<Phase, 'id' | 'fired'> & { phase: string };
  return { ...params, id: params.phase, fired: phases[0] };
}

function warningFrom(fired: FiredRule, warning: RuleWarning, source: PlanCaution['source'], site: PlanCaution['site']): PlanCaution | PlanWarning {
  const common = {
    source,
    ruleId: fired.rule.id,
    title: fired.rule.title,
    message: warning.clinicianMessage,
    patientMessage: warning.patientMessage ?? null,
    site,
    evidence: fired.rule.evidence,
  };
  return warning.severity === 'caution' ? { id: site ? `${fired.rule.id}:${siteKey(site)}` : fired.rule.id, ...common } : { ...common, severity: 'info' };
}

function screeningCautions(screening: ScreeningOutcome): PlanCaution[] {
  return screening.findings
    .filter((f: ScreeningFinding) => f.verdict === 'caution' || f.cleared)
    .map((f) => ({
      id: f.site ? `${f.ruleId}:${siteKey(f.site)}` : f.ruleId,
      source: 'screening' as const,
      ruleId: f.ruleId,
      title: f.title,
      // A cleared referral's own patient message asks for an approval that has been given; the handout tells the clearance instead.
      message: f.clearance ? `${f.clinicianMessage} Cleared by ${f.clearance.by} on ${f.clearance.on}: ${f.clearance.note}` : f.clinicianMessage,
      patientMessage: f.cleared ? null : f.patientMessage,
      site: f.site,
      evidence: f.evidence,
    }));
}

/** Adds a caution or warning once: the same rule at the same site is said once. */
class Notices {
  readonly cautions: PlanCaution[] = [];
  readonly warnings: PlanWarning[] = [];

  add(notice: PlanCaution | PlanWarning): void {
    if ('id' in notice) {
      if (!this.cautions.some((c) => c.id === notice.id)) {
        this.cautions.push(notice);
      }
    } else if (!this.warnings.some((w) => w.ruleId === notice.ruleId && siteKey(w.site ?? { limb: '', side: '' }) === siteKey(notice.site ?? { limb: '', side: '' }))) {
      this.warnings.push(notice);
    }
  }
}

interface Candidate {
  exercise: Exercise;
  side: 'left' | 'right';
  injuredSide: boolean;
  basis: FiredRule;
}

/** The phase's exercises on the sides it asks for, less those the request rules out, with the reasons. */
function candidatesOf(phase: Phase, request: PrescriptionRequest, screening: ScreeningOutcome, catalogue: RuleCatalogue) {
  const exercises = new Map(catalogue.table(exerciseCatalogue).exercises.map((e) => [e.id, e]));
  const injured = request.indication.side;
  const other: Candidate['side'] = injured === 'left' ? 'right' : 'left';
  const kept: Candidate[] = [];
  const omitted: Plan['omitted'] = [];
  for (const entry of phase.exercises) {
    const exercise = exercises.get(entry.exercise) as Exercise;
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

const lopKey = ({ exercise, side }: Pick<Candidate, 'exercise' | 'side'>) => `${side}-${exercise.cuffSite}:${exercise.position}`;

/**
 * The candidates whose cuff site has a usable LOP in their position. The others are left out with
 * the measurement each needs, so a plan can start while a position is measured; when the injured
 * side is left with nothing, the plan is refused with every LOP that must be measured.
 */
function withUsableLop(kept: readonly Candidate[], lops: ReadonlyMap<string, LopResolution>, request: PrescriptionRequest, phase: Phase) {
  const needs = (r: LopResolution) => r.findings.filter((f) => f.action === 'remeasure');
  // The ranges of an equation's population the patient is outside say why no estimate was made.
  const said = (r: LopResolution, f: LopFinding) => (r.estimateRefusals.length > 0 ? `${f.clinicianMessage} (${r.estimateRefusals.join('; ')})` : f.clinicianMessage);
  const usable = kept.filter((c) => needs(lops.get(lopKey(c))!).length === 0);
  const lopOmitted: Plan['omitted'] = kept
    .filter((c) => !usable.includes(c))
    .map((c) => {
      const resolution = lops.get(lopKey(c))!;
      const cuffWidthCm = request.limbs.find((l) => l.limb === c.exercise.cuffSite && l.side === c.side)!.cuffWidthCm;
      return {
        exercise: c.exercise.id,
        side: c.side,
        reason: `no usable LOP for the ${siteName(resolution.site)} ${resolution.position}: ${needs(resolution).map((f) => `${said(resolution, f)} [${f.rule.ruleId}]`).join(' ')}`,
        measurement: { limb: c.exercise.cuffSite, side: c.side, position: resolution.position, cuffWidthCm },
      };
    });
  if (!usable.some((c) => c.injuredSide)) {
    const remeasure = [...new Set(kept.map((c) => lops.get(lopKey(c))!))].flatMap((r) =>
      needs(r).map((f) => ({
        site: siteName(r.site),
        position: r.position,
        ruleId: f.rule.ruleId,
        message: said(r, f),
      })),
    );
    throw new DomainError(
      ErrorCode.LopRequired,
      `No usable LOP for the injured side's exercises of the phase "${phase.label}": ${remeasure.map((r) => `${r.site} (${r.position}): ${r.message} [${r.ruleId}]`).join('; ')}`,
      undefined,
      { extensions: { lopFindings: remeasure } },
    );
  }
  return { usable, lopOmitted };
}

/** The pressure of each session from the first up to the first at the working pressure, a step at a time. */
function pressureRamp(startLopPercent: number, lopPercent: number, step: number, lopMmHg: number): ExerciseDose['pressure']['ramp'] {
  const ramp: ExerciseDose['pressure']['ramp'] = [];
  for (let percent = startLopPercent; ; percent = Math.min(percent + step, lopPercent)) {
    ramp.push({ session: ramp.length + 1, lopPercent: percent, mmHg: Math.round((percent * lopMmHg) / 100) });
    if (percent >= lopPercent) {
      return ramp;
    }
  }
}

/** Continuous and total inflated time of one exercise as dosed, seconds. */
function inflationOf(modality: Exercise['modality'], dose: Partial<DoseValues>): { continuous: number; total: number } {
  if (modality === 'resistance') {
    const scheme = dose.setScheme as number[];
    const tempo = dose.tempo as DoseValues['tempo'];
    const reps = scheme.reduce((a, b) => a + b, 0);
    const seconds = reps * (tempo.concentricSeconds + tempo.eccentricSeconds) + (scheme.length - 1) * (dose.restBetweenSetsSeconds as number);
    return { continuous: seconds, total: seconds };
  }
  const bouts = dose.bouts as DoseValues['bouts'];
  return { continuous: bouts.minutes * 60, total: bouts.count * bouts.minutes * 60 };
}

/**
 * Makes a BFR plan: screen (the same function as POST /v1/screenings), select the phase and its
 * exercises, find each site's LOP, dose each exercise, set the schedule, then hold the whole plan
 * against the safety envelope. Deterministic: the same request, day and ruleset give the same plan.
 * Throws a DomainError whenever no safe plan can be made. Exercises that cannot be done (equipment,
 * cuff site, no usable LOP in their position) are left out and listed in `omitted`; the plan is
 * refused when the injured side is left with none.
 */
export async function generatePlan(catalogue: RuleCatalogue, request: PrescriptionRequest, generatedOn: string): Promise<GeneratedPlan> {
  const errors = dateErrors(request, generatedOn);
  if (errors.length > 0) {
    throw invalidFields('body', errors);
  }
  const screened = screeningRequestOf(request);
  const screening = await screenPatient(catalogue, screened.request, generatedOn, { surgicalIndication: screened.surgicalIndication });
  refuseUnlessScreened(screening);

  const { indication } = request;
  const surgical = CONDITIONS[indication.condition].surgical;
  const weeksSinceSurgery = surgical ? weeks(daysBetween(indication.surgeryDate as string, generatedOn)) : null;
  const weeksSinceOnset = surgical ? null : weeks(daysBetween(indication.onsetDate as string, generatedOn));
  const common = {
    condition: indication.condition,
    goal: request.goal,
    newToBfr: request.newToBfr,
    modifications: screening.modifications,
  };
  const selection = catalogue.evaluate('selection', {
    ...common,
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
    notices.add(warningFrom(fired, fired.event.params as RuleWarning, 'selection', null));
  }

  const { kept, omitted } = candidatesOf(phase, request, screening, catalogue);

  const lops = new Map<string, LopResolution>();
  for (const candidate of kept) {
    const { exercise, side } = candidate;
    const key = lopKey(candidate);
    if (!lops.has(key)) {
      const site = request.limbs.find((l) => l.limb === exercise.cuffSite && l.side === side)!;
      lops.set(key, await lopFor(catalogue, request, screening, site, exercise.position, generatedOn));
    }
  }
  const { usable, lopOmitted } = withUsableLop(kept, lops, request, phase);
  omitted.push(...lopOmitted);
  for (const resolution of new Set(usable.map((c) => lops.get(lopKey(c))!))) {
    for (const finding of resolution.findings) {
      const base = {
        source: 'lop' as const,
        ruleId: finding.rule.ruleId,
        title: finding.rule.title,
        message: finding.clinicianMessage,
        patientMessage: finding.patientMessage,
        site: resolution.site,
        evidence: finding.rule.evidence,
      };
      notices.add(finding.action === 'caution' ? { id: `${finding.rule.ruleId}:${siteKey(resolution.site)}`, ...base } : { ...base, severity: 'warning' });
    }
  }

  const dosings: Array<{ exercise: string; side: string; evaluation: Evaluation }> = [];

  const planned: PlannedExercise[] = [];
  const envelope: EnvelopeExercise[] = [];
  for (const candidate of usable) {
    const { exercise, side } = candidate;
    const resolution = lops.get(lopKey(candidate))!;
    const lop = resolution.lop!;
    const dosing = catalogue.evaluate('dosing', {
      ...common,
      phase: phase.id,
      stage: phase.stage,
      exercise: exercise.id,
      modality: exercise.modality,
      limb: exercise.cuffSite,
      position: exercise.position,
      load: exercise.load,
      injuredSide: candidate.injuredSide,
      lopSource: lop.source,
      lopCaution: resolution.findings.some((f) => f.action === 'caution'),
    });
    dosings.push({ exercise: exercise.id, side, evaluation: dosing });
    const subject = `${exercise.id} (${side} ${exercise.cuffSite})`;
    const settings = resolveSettings<DoseValues, DoseParameter>(dosing.fired, DOSE_PARAMETERS[exercise.modality], subject);
    for (const fired of dosing.fired) {
      const warning = (fired.event.params as { warning?: RuleWarning }).warning;
      if (warning) {
        notices.add(warningFrom(fired, warning, 'dosing', { limb: exercise.cuffSite, side }));
      }
    }
    const value = <P extends DoseParameter>(p: P): DoseValues[P] | null => (settings[p] ? settings[p].value : null);
    const basisOf = (p: DoseParameter) => settings[p]?.basis ?? [];
    const lopPercent = value('lopPercent') as number;
    // The first session never starts above the working pressure.
    const startLopPercent = Math.min(value('startLopPercent') as number, lopPercent);
    const percent1RM = exercise.load === 'external' ? value('loadPercent1RM') : null;
    const oneRepMax = request.oneRepMaxKg[exercise.id];
    const inflation = inflationOf(exercise.modality, Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, s.value])));
    const dose: ExerciseDose = {
      pressure: {
        lopPercent,
        mmHg: Math.round((lopPercent * lop.mmHg) / 100),
        startLopPercent,
        startMmHg: Math.round((startLopPercent * lop.mmHg) / 100),
        ramp: pressureRamp(startLopPercent, lopPercent, value('rampStepLopPercent') as number, lop.mmHg),
        lop,
        basis: { lopPercent: basisOf('lopPercent'), startLopPercent: basisOf('startLopPercent'), rampStepLopPercent: basisOf('rampStepLopPercent') },
      },
      load: {
        kind: exercise.load,
        percent1RM,
        kg: percent1RM !== null && oneRepMax !== undefined ? Math.round((percent1RM * oneRepMax) / 50) / 2 : null,
        basis: basisOf('loadPercent1RM'),
      },
      sets: { value: value('setScheme'), basis: basisOf('setScheme') },
      restBetweenSets: { seconds: value('restBetweenSetsSeconds'), cuff: 'inflated', basis: basisOf('restBetweenSetsSeconds') },
      tempo: { value: value('tempo'), basis: basisOf('tempo') },
      bouts: { value: value('bouts'), basis: basisOf('bouts') },
      intensity: { value: value('intensity'), basis: basisOf('intensity') },
      reperfusion: { seconds: value('reperfusionSeconds') as number, cuff: 'deflated', basis: basisOf('reperfusionSeconds') },
      maxContinuousMinutes: { value: value('maxContinuousMinutes') as number, basis: basisOf('maxContinuousMinutes') },
      continuousMinutes: minutes(inflation.continuous),
      inflatedMinutes: minutes(inflation.total),
    };
    if (dose.continuousMinutes > dose.maxContinuousMinutes.value) {
      throw new DomainError(
        ErrorCode.PlanNotPossible,
        `${subject} keeps the cuff inflated ${dose.continuousMinutes} min without a break, above the ${dose.maxContinuousMinutes.value} min its own rules allow (${dose.maxContinuousMinutes.basis.map((b) => b.ruleId).join(', ')}); the rules need correcting.`,
      );
    }
    planned.push({
      order: planned.length + 1,
      exercise: {
        id: exercise.id,
        name: exercise.name,
        patientName: exercise.patientName,
        modality: exercise.modality,
        cuffSite: exercise.cuffSite,
        position: exercise.position,
        load: exercise.load,
        equipment: exercise.equipment,
        instructions: exercise.instructions,
      },
      site: { limb: exercise.cuffSite, side },
      injuredSide: candidate.injuredSide,
      dose,
      basis: [ruleRef(candidate.basis)],
    });
    const ids = (p: DoseParameter) => basisOf(p).map((b) => b.ruleId);
    const bouts = value('bouts');
    envelope.push({
      exerciseId: exercise.id,
      limb: exercise.cuffSite,
      side,
      lopPercent: Math.max(lopPercent, startLopPercent),
      setPointMmHg: Math.max(dose.pressure.mmHg, dose.pressure.startMmHg),
      loadPercent1RM: percent1RM,
      continuousInflationMinutes: dose.continuousMinutes,
      inflatedMinutes: dose.inflatedMinutes,
      reperfusionSeconds: bouts && bouts.count > 1 ? Math.min(dose.reperfusion.seconds, bouts.restSeconds) : dose.reperfusion.seconds,
      basis: {
        lopPercent: ids('lopPercent'),
        setPointMmHg: ids('lopPercent'),
        loadPercent1RM: ids('loadPercent1RM'),
        continuousInflationMinutes: [...ids('setScheme'), ...ids('restBetweenSetsSeconds'), ...ids('tempo'), ...ids('bouts')],
        reperfusionSeconds: [...ids('reperfusionSeconds'), ...(bouts && bouts.count > 1 ? ids('bouts') : [])],
      },
    });
  }

  refuseBreaches(checkEnvelope(envelope));

  const scheduling = catalogue.evaluate('schedule', { ...common, phase: phase.id, stage: phase.stage });
  let trace: PlanTrace | undefined;
  const timing = resolveSettings<ScheduleValues, ScheduleParameter>(scheduling.fired, SCHEDULE_PARAMETERS, 'the schedule');
  for (const fired of scheduling.fired) {
    const warning = (fired.event.params as { warning?: RuleWarning }).warning;
    if (warning) {
      notices.add(warningFrom(fired, warning, 'schedule', null));
    }
  }
  const schedule: Schedule = { ...timing, loadCeilingPercent1RM: SAFETY_ENVELOPE.maxLoadPercent1RM };

  return {
    plan: {
      generatedOn,
      rulesetVersion: catalogue.version,
      indication: { condition: indication.condition, side: indication.side, weightBearing: indication.weightBearing, weeksSinceSurgery, weeksSinceOnset },
      phase: {
        id: phase.id,
        label: phase.label,
        stage: phase.stage,
        evidenceGrade: phase.evidenceGrade,
        clinicianMessage: phase.clinicianMessage,
        patientMessage: phase.patientMessage,
        basis: [ruleRef(phase.fired)],
      },
      exercises: planned,
      schedule,
      cautions: notices.cautions,
      warnings: notices.warnings,
      omitted,
      screening,
    },
    // Built when read: the service stores it, a CDS card or a bench run does not need it.
    get trace() {
      trace ??= {
        selection: selection.trace,
        lop: [...lops.values()].map((r) => ({ site: siteName(r.site), position: r.position, trace: r.trace })),
        dosing: dosings.map(({ exercise, side, evaluation }) => ({ exercise, side, trace: evaluation.trace })),
        schedule: scheduling.trace,
      };
      return trace;
    },
  };
}

/** A breach of the set point alone comes from a high LOP, not from the rules: the cuff or the measurement must change. */
function refuseBreaches(breaches: EnvelopeBreach[]): void {
  if (breaches.length > 0) {
    const fromLop = (b: EnvelopeBreach) => b.parameter === 'setPointMmHg' && !breaches.some((o) => o.parameter === 'lopPercent' && o.exerciseId === b.exerciseId && o.limb === b.limb);
    const described = breaches.map((b) =>
      fromLop(b)
        ? `set point ${b.value} mmHg above ${b.limit} mmHg on the ${b.limb}${b.exerciseId ? ` (${b.exerciseId})` : ''}: the LOP is too high for this cuff; use a wider cuff or re-measure the LOP`
        : `${b.parameter} ${b.value} ${b.parameter === 'reperfusionSeconds' ? 'below' : 'above'} ${b.limit} on the ${b.limb}${b.exerciseId ? ` (${b.exerciseId})` : ''}, from ${b.ruleIds.join(', ') || 'no rule'}; the rules need correcting`,
    );
    throw new DomainError(ErrorCode.EnvelopeBreach, `The plan breaches the safety envelope: ${described.join('; ')}.`, undefined, { extensions: { breaches } });
  }
}

/** Only arm cuff sites, for a condition none of whose phases puts a cuff on the arm: say so rather than list every exercise. */
function refuseArmOnly(catalogue: RuleCatalogue, request: PrescriptionRequest): void {
  if (!request.limbs.every((l) => l.limb === 'upper-arm')) {
    return;
  }
  const { condition } = request.indication;
  const exercises = new Map(catalogue.table(exerciseCatalogue).exercises.map((e) => [e.id, e]));
  const phases = (catalogue.ruleset('selection')?.rules ?? []).filter((r) => r.event.type === 'phase' && String(r.event.params?.phase).startsWith(`${condition}.`));
  const armExercise = phases.some((r) => (r.event.params?.exercises as Array<{ exercise: string }>).some((e) => exercises.get(e.exercise)?.cuffSite === 'upper-arm'));
  if (!armExercise) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `Only arm cuff sites were given, and no phase for ${condition} offers arm BFR: every exercise puts the cuff on the thigh. Plan a thigh cuff site (limbs) and ask again.`,
    );
  }
}
