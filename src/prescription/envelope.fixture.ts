import type { EnvelopeExercise } from './safety-envelope';

/** A typical lower-limb dose at the envelope's limits, for the envelope's tests. */
export const legPressDose = (overrides: Partial<EnvelopeExercise> = {}): EnvelopeExercise => ({
  exerciseId: 'leg-press',
  limb: 'thigh',
  side: 'left',
  lopPercent: 80,
  setPointMmHg: 152,
  loadPercent1RM: 30,
  continuousInflationMinutes: 6,
  inflatedMinutes: 6,
  reperfusionSeconds: 180,
  basis: { lopPercent: ['dose.lop-lower-limb'], loadPercent1RM: ['dose.load-resistance'] },
  ...overrides,
});
