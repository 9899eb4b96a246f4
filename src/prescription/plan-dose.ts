import { DomainError, ErrorCode } from '../common/problem';
import type { Evaluation, RuleCatalogue } from '../rules/catalogue';
import type { Exercise } from './exercise-catalogue';
import type { LopResolution } from './lop-for';
import type { Candidate } from './plan-candidates';
import type { Phase } from './plan-phase';
import { warningFrom } from './plan-notices';
import type { ExerciseDose, PlanCaution, PlannedExercise, PlanWarning, ResolvedLop } from './plan.schema';
import type { DoseParameter, DoseValues } from './prescription.rulesets';
import { attachedWarningOf, type DoseSettings, doseSettingsOf } from './rule-params';
import { resolveSettings, ruleRef, type Setting } from './rule-settings';
import type { EnvelopeExercise } from './safety-envelope';

const DOSE_PARAMETERS: Record<Exercise['modality'], readonly DoseParameter[]> = {
  resistance: [
    'lopPercent',
    'startLopPercent',
    'rampStepLopPercent',
    'loadPercent1RM',
    'setScheme',
    'restBetweenSetsSeconds',
    'tempo',
    'reperfusionSeconds',
    'maxContinuousMinutes',
  ],
  aerobic: [
    'lopPercent',
    'startLopPercent',
    'rampStepLopPercent',
    'bouts',
    'intensity',
    'reperfusionSeconds',
    'maxContinuousMinutes',
  ],
  passive: [
    'lopPercent',
    'startLopPercent',
    'rampStepLopPercent',
    'bouts',
    'reperfusionSeconds',
    'maxContinuousMinutes',
  ],
};

const minutes = (seconds: number) => Math.round((seconds / 60) * 10) / 10;
const setPoint = (percent: number, lopMmHg: number) => Math.round((percent * lopMmHg) / 100);

/** What every dosing rule may read besides the exercise: the indication's facts, the phase and its stage. */
export type PlanFacts = Record<string, unknown>;

/** The pressure of each session from the first up to the first at the working pressure, a step at a time. */
export function pressureRamp(
  startLopPercent: number,
  lopPercent: number,
  step: number,
  lopMmHg: number,
): ExerciseDose['pressure']['ramp'] {
  const ramp: ExerciseDose['pressure']['ramp'] = [];
  for (let percent = startLopPercent; ; percent = Math.min(percent + step, lopPercent)) {
    ramp.push({ session: ramp.length + 1, lopPercent: percent, mmHg: setPoint(percent, lopMmHg) });
    if (percent >= lopPercent) {
      return ramp;
    }
  }
}

/** Continuous and total inflated time of one exercise as dosed, seconds. */
export function inflationOf(dose: DoseSettings): { continuous: number; total: number } {
  if (dose.modality === 'resistance') {
    const reps = dose.setScheme.reduce((a, b) => a + b, 0);
    const seconds =
      reps * (dose.tempo.concentricSeconds + dose.tempo.eccentricSeconds) +
      (dose.setScheme.length - 1) * dose.restBetweenSetsSeconds;
    return { continuous: seconds, total: seconds };
  }
  return { continuous: dose.bouts.minutes * 60, total: dose.bouts.count * dose.bouts.minutes * 60 };
}

type DoseRules = Partial<Record<DoseParameter, Setting<unknown>>>;

/** The dose of one exercise from the values its rules set, with the rules behind each value. */
export function doseOf(
  exercise: Exercise,
  values: DoseSettings,
  rules: DoseRules,
  lop: ResolvedLop,
  oneRepMaxKg: number | undefined,
): ExerciseDose {
  const basisOf = (p: DoseParameter) => rules[p]?.basis ?? [];
  const { lopPercent } = values;
  // The first session never starts above the working pressure.
  const startLopPercent = Math.min(values.startLopPercent, lopPercent);
  const resistance = values.modality === 'resistance' ? values : null;
  const percent1RM = exercise.load === 'external' ? (resistance?.loadPercent1RM ?? null) : null;
  const inflation = inflationOf(values);
  return {
    pressure: {
      lopPercent,
      mmHg: setPoint(lopPercent, lop.mmHg),
      startLopPercent,
      startMmHg: setPoint(startLopPercent, lop.mmHg),
      ramp: pressureRamp(startLopPercent, lopPercent, values.rampStepLopPercent, lop.mmHg),
      lop,
      basis: {
        lopPercent: basisOf('lopPercent'),
        startLopPercent: basisOf('startLopPercent'),
        rampStepLopPercent: basisOf('rampStepLopPercent'),
      },
    },
    load: {
      kind: exercise.load,
      percent1RM,
      kg: percent1RM !== null && oneRepMaxKg !== undefined ? Math.round((percent1RM * oneRepMaxKg) / 50) / 2 : null,
      basis: basisOf('loadPercent1RM'),
    },
    sets: { value: resistance?.setScheme ?? null, basis: basisOf('setScheme') },
    restBetweenSets: {
      seconds: resistance?.restBetweenSetsSeconds ?? null,
      cuff: 'inflated',
      basis: basisOf('restBetweenSetsSeconds'),
    },
    tempo: { value: resistance?.tempo ?? null, basis: basisOf('tempo') },
    bouts: { value: values.modality === 'resistance' ? null : values.bouts, basis: basisOf('bouts') },
    intensity: { value: values.modality === 'aerobic' ? values.intensity : null, basis: basisOf('intensity') },
    reperfusion: { seconds: values.reperfusionSeconds, cuff: 'deflated', basis: basisOf('reperfusionSeconds') },
    maxContinuousMinutes: { value: values.maxContinuousMinutes, basis: basisOf('maxContinuousMinutes') },
    continuousMinutes: minutes(inflation.continuous),
    inflatedMinutes: minutes(inflation.total),
  };
}

/** What the safety envelope holds the dose to: the highest pressure and the shortest deflation it contains. */
export function envelopeExerciseOf(
  exercise: Exercise,
  side: Candidate['side'],
  dose: ExerciseDose,
  rules: DoseRules,
): EnvelopeExercise {
  const ids = (p: DoseParameter) => (rules[p]?.basis ?? []).map((b) => b.ruleId);
  const bouts = dose.bouts.value;
  return {
    exerciseId: exercise.id,
    limb: exercise.cuffSite,
    side,
    lopPercent: Math.max(dose.pressure.lopPercent, dose.pressure.startLopPercent),
    setPointMmHg: Math.max(dose.pressure.mmHg, dose.pressure.startMmHg),
    loadPercent1RM: dose.load.percent1RM,
    continuousInflationMinutes: dose.continuousMinutes,
    inflatedMinutes: dose.inflatedMinutes,
    reperfusionSeconds:
      bouts && bouts.count > 1 ? Math.min(dose.reperfusion.seconds, bouts.restSeconds) : dose.reperfusion.seconds,
    basis: {
      lopPercent: ids('lopPercent'),
      setPointMmHg: ids('lopPercent'),
      loadPercent1RM: ids('loadPercent1RM'),
      continuousInflationMinutes: [
        ...ids('setScheme'),
        ...ids('restBetweenSetsSeconds'),
        ...ids('tempo'),
        ...ids('bouts'),
      ],
      reperfusionSeconds: [...ids('reperfusionSeconds'), ...(bouts && bouts.count > 1 ? ids('bouts') : [])],
    },
  };
}

export interface DosedExercise {
  planned: Omit<PlannedExercise, 'order'>;
  envelope: EnvelopeExercise;
  evaluation: Evaluation;
  notices: Array<PlanCaution | PlanWarning>;
}

/**
 * Doses one exercise on one side with the dosing rules. An exercise whose own rules keep the cuff
 * inflated longer than they allow is a defect of the rules and refuses the plan.
 */
export function doseExercise(
  catalogue: RuleCatalogue,
  facts: PlanFacts,
  phase: Phase,
  candidate: Candidate,
  resolution: LopResolution,
  oneRepMaxKg: number | undefined,
): DosedExercise {
  const { exercise, side } = candidate;
  const lop = resolution.lop!;
  const evaluation = catalogue.evaluate('dosing', {
    ...facts,
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
  const subject = `${exercise.id} (${side} ${exercise.cuffSite})`;
  const rules: DoseRules = resolveSettings<DoseValues, DoseParameter>(
    evaluation.fired,
    DOSE_PARAMETERS[exercise.modality],
    subject,
  );
  const notices = evaluation.fired.flatMap((fired) => {
    const warning = attachedWarningOf(fired);
    return warning ? [warningFrom(fired, warning, 'dosing', { limb: exercise.cuffSite, side })] : [];
  });
  const values = doseSettingsOf(
    exercise.modality,
    Object.fromEntries(Object.entries(rules).map(([k, s]) => [k, s.value])),
  );
  const dose = doseOf(exercise, values, rules, lop, oneRepMaxKg);
  if (dose.continuousMinutes > dose.maxContinuousMinutes.value) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `${subject} keeps the cuff inflated ${dose.continuousMinutes} min without a break, above the ${dose.maxContinuousMinutes.value} min its own rules allow (${dose.maxContinuousMinutes.basis.map((b) => b.ruleId).join(', ')}); the rules need correcting.`,
    );
  }
  const { id, name, patientName, modality, cuffSite, position, load, equipment, instructions } = exercise;
  return {
    planned: {
      exercise: { id, name, patientName, modality, cuffSite, position, load, equipment, instructions },
      site: { limb: exercise.cuffSite, side },
      injuredSide: candidate.injuredSide,
      dose,
      basis: [ruleRef(candidate.basis)],
    },
    envelope: envelopeExerciseOf(exercise, side, dose, rules),
    evaluation,
    notices,
  };
}
