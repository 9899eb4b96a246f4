/**
 * The hard limits no rules edit can loosen. Every plan and every device program passes them; a
 * breach is refused, never clamped. Upper limits only: a low pressure or load is not a hazard.
 *
 * Sources (see the clinical and device references): 40-80 % LOP and load 20-40 % 1RM (AIS via
 * VALD; Patterson 2019); set point <= 250 mmHg below the 300 mmHg hard trip (SR-1); continuous
 * inflation < 20 min lower limb, < 15 min upper limb (AIS via VALD; SmartCuffs manual); deflated
 * reperfusion >= 60 s between exercise blocks (SR-5); <= 30 min inflated per limb per session (SR-6).
 */
export const SAFETY_ENVELOPE = Object.freeze({
  maxLopPercent: 80,
  maxSetPointMmHg: 250,
  maxLoadPercent1RM: 40,
  maxContinuousInflationMinutes: Object.freeze({ thigh: 20, 'upper-arm': 15 } as const),
  minReperfusionSeconds: 60,
  maxInflatedMinutesPerLimbPerSession: 30,
} as const);

export type CuffLimb = keyof typeof SAFETY_ENVELOPE.maxContinuousInflationMinutes;

/** What the envelope reads of one dosed exercise; times are derived here, not trusted from rules. */
export interface EnvelopeExercise {
  exerciseId: string;
  limb: CuffLimb;
  side: 'left' | 'right';
  lopPercent: number;
  setPointMmHg: number;
  loadPercent1RM: number | null;
  /** Minutes the cuff stays inflated without a break during the exercise. */
  continuousInflationMinutes: number;
  /** All inflated minutes of the exercise: more than the continuous time when it is done in bouts. */
  inflatedMinutes: number;
  /** Deflated seconds after the exercise before the cuff goes on again. */
  reperfusionSeconds: number;
  /** The rules that set each parameter, so a breach names its source. */
  basis: Partial<Record<EnvelopeParameter, string[]>>;
}

export type EnvelopeParameter =
  | 'lopPercent'
  | 'setPointMmHg'
  | 'loadPercent1RM'
  | 'continuousInflationMinutes'
  | 'reperfusionSeconds'
  | 'sessionInflationMinutes';

export interface EnvelopeBreach {
  exerciseId: string | null;
  limb: string;
  parameter: EnvelopeParameter;
  value: number;
  limit: number;
  ruleIds: string[];
}

/** Every breach of the envelope by a session of exercises; an empty list means the plan may go out. */
export function checkEnvelope(exercises: readonly EnvelopeExercise[]): EnvelopeBreach[] {
  const breaches: EnvelopeBreach[] = [];
  const over = (exercise: EnvelopeExercise, parameter: EnvelopeParameter, value: number, limit: number) => {
    if (value > limit) {
      breaches.push({
        exerciseId: exercise.exerciseId,
        limb: `${exercise.side} ${exercise.limb}`,
        parameter,
        value,
        limit,
        ruleIds: exercise.basis[parameter] ?? [],
      });
    }
  };
  const inflated = new Map<string, { minutes: number; ruleIds: Set<string> }>();
  for (const exercise of exercises) {
    over(exercise, 'lopPercent', exercise.lopPercent, SAFETY_ENVELOPE.maxLopPercent);
    over(exercise, 'setPointMmHg', exercise.setPointMmHg, SAFETY_ENVELOPE.maxSetPointMmHg);
    if (exercise.loadPercent1RM !== null) {
      over(exercise, 'loadPercent1RM', exercise.loadPercent1RM, SAFETY_ENVELOPE.maxLoadPercent1RM);
    }
    over(
      exercise,
      'continuousInflationMinutes',
      exercise.continuousInflationMinutes,
      SAFETY_ENVELOPE.maxContinuousInflationMinutes[exercise.limb],
    );
    if (exercise.reperfusionSeconds < SAFETY_ENVELOPE.minReperfusionSeconds) {
      breaches.push({
        exerciseId: exercise.exerciseId,
        limb: `${exercise.side} ${exercise.limb}`,
        parameter: 'reperfusionSeconds',
        value: exercise.reperfusionSeconds,
        limit: SAFETY_ENVELOPE.minReperfusionSeconds,
        ruleIds: exercise.basis.reperfusionSeconds ?? [],
      });
    }
    const key = `${exercise.side} ${exercise.limb}`;
    const total = inflated.get(key) ?? { minutes: 0, ruleIds: new Set<string>() };
    total.minutes += exercise.inflatedMinutes;
    (exercise.basis.continuousInflationMinutes ?? []).forEach((id) => total.ruleIds.add(id));
    inflated.set(key, total);
  }
  for (const [limb, total] of inflated) {
    if (total.minutes > SAFETY_ENVELOPE.maxInflatedMinutesPerLimbPerSession) {
      breaches.push({
        exerciseId: null,
        limb,
        parameter: 'sessionInflationMinutes',
        value: Math.round(total.minutes * 10) / 10,
        limit: SAFETY_ENVELOPE.maxInflatedMinutesPerLimbPerSession,
        ruleIds: [...total.ruleIds],
      });
    }
  }
  return breaches;
}
