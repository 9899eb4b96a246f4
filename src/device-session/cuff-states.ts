import type { CuffState } from '../device-adapter/protocol';

/** States from which a program can be pushed without a new self-test. */
export const TESTED: readonly CuffState[] = ['READY', 'PROGRAM_LOADED'];
/** On its way to rest by itself, e.g. right after a session was deflated and ended: a wait of seconds. */
export const DEFLATING: readonly CuffState[] = ['DEFLATING', 'ALARM_DEFLATING'];
/** States in which a cuff may be prepared (after a self-test where needed). */
const AT_REST: readonly (CuffState | null)[] = [null, 'IDLE', 'READY', 'PROGRAM_LOADED', 'DONE', 'ABORTED', 'FAULT'];

/** Whether a cuff in `state` can take a new session or measurement (it may still need a self-test). */
export const isAtRest = (state: CuffState | null): boolean => AT_REST.includes(state);
