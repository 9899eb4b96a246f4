/** Nest injection token of the clock the supervisor sets its deadlines on (virtual in tests). */
export const SESSION_TIMERS = Symbol('SESSION_TIMERS');
