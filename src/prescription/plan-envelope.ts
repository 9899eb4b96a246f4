import { DomainError, ErrorCode } from '../common/problem';
import { checkEnvelope, type EnvelopeBreach, type EnvelopeExercise } from './safety-envelope';

/** How a breach is said: a breach of the set point alone comes from a high LOP, not from the rules, so the cuff or the measurement must change. */
export function describeBreaches(breaches: readonly EnvelopeBreach[]): string[] {
  const fromLop = (b: EnvelopeBreach) =>
    b.parameter === 'setPointMmHg' &&
    !breaches.some((o) => o.parameter === 'lopPercent' && o.exerciseId === b.exerciseId && o.limb === b.limb);
  return breaches.map((b) =>
    fromLop(b)
      ? `set point ${b.value} mmHg above ${b.limit} mmHg on the ${b.limb}${b.exerciseId ? ` (${b.exerciseId})` : ''}: the LOP is too high for this cuff; use a wider cuff or re-measure the LOP`
      : `${b.parameter} ${b.value} ${b.parameter === 'reperfusionSeconds' ? 'below' : 'above'} ${b.limit} on the ${b.limb}${b.exerciseId ? ` (${b.exerciseId})` : ''}, from ${b.ruleIds.join(', ') || 'no rule'}; the rules need correcting`,
  );
}

/** Holds the dosed exercises against the safety envelope; any breach refuses the plan. */
export function holdToEnvelope(exercises: readonly EnvelopeExercise[]): void {
  const breaches = checkEnvelope(exercises);
  if (breaches.length > 0) {
    throw new DomainError(
      ErrorCode.EnvelopeBreach,
      `The plan breaches the safety envelope: ${describeBreaches(breaches).join('; ')}.`,
      undefined,
      { extensions: { breaches } },
    );
  }
}
