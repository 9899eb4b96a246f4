import type { CommandType, CuffState } from './protocol';

/**
 * Which commands a cuff accepts in each state and the states it may be in right after (the `state`
 * of its ack). A command missing from a state's row is refused with REJECTED_STATE. Device and
 * simulator implement this one table (device and safety reference §3.2); the tests are generated
 * from it.
 *
 * Besides the table:
 * - DEFLATE and ABORT are accepted in every state, whatever their seq or expiry (SR-13).
 * - A repeat of a program the cuff already holds (same id, same hash) is acked OK in any state
 *   without changing anything; the same id with another hash is REJECTED_CONFLICT (SR-12).
 * - Commands that inflate (SELF_TEST, MEASURE_LOP, START, RESUME) need a live controller heartbeat.
 *
 * Transitions the cuff makes by itself: SELF_TEST → READY (passed) | FAULT (failed);
 * MEASURING_LOP → READY; INFLATING → HOLDING at set point − 5 mmHg; HOLDING → SET_REST when a set
 * ends with sets to go, → DEFLATING after the block's last set; SET_REST → HOLDING (inflated rest) |
 * INFLATING (deflated rest) when the rest ends; DEFLATING → REPERFUSION (blocks to go) | DONE |
 * PAUSED | ABORTED | IDLE (self-test stopped) | READY (LOP measurement stopped) once at or below
 * 10 mmHg; REPERFUSION → INFLATING (next block) when the reperfusion time is over; any state →
 * ALARM_DEFLATING on a limit breach, a lost heartbeat or a sensor fault, then → FAULT.
 */
export const COMMAND_TRANSITIONS: Readonly<Record<CuffState, Partial<Record<CommandType, readonly CuffState[]>>>> = {
  IDLE: { SELF_TEST: ['SELF_TEST'], DEFLATE: ['IDLE'], ABORT: ['IDLE'] },
  SELF_TEST: { DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  READY: {
    SELF_TEST: ['SELF_TEST'],
    MEASURE_LOP: ['MEASURING_LOP'],
    PUSH_PROGRAM: ['PROGRAM_LOADED'],
    DEFLATE: ['READY'],
    ABORT: ['READY'],
  },
  PROGRAM_LOADED: {
    MEASURE_LOP: ['MEASURING_LOP'],
    PUSH_PROGRAM: ['PROGRAM_LOADED'],
    START: ['INFLATING'],
    DEFLATE: ['PROGRAM_LOADED'],
    ABORT: ['ABORTED'],
  },
  MEASURING_LOP: { DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  INFLATING: { PAUSE: ['DEFLATING'], DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  HOLDING: { NEXT_SET: ['SET_REST', 'DEFLATING'], PAUSE: ['DEFLATING'], DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  SET_REST: { NEXT_SET: ['HOLDING', 'INFLATING'], PAUSE: ['DEFLATING'], DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  DEFLATING: { DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  REPERFUSION: { DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  PAUSED: { RESUME: ['INFLATING'], DEFLATE: ['DEFLATING'], ABORT: ['DEFLATING'] },
  DONE: {
    SELF_TEST: ['SELF_TEST'],
    MEASURE_LOP: ['MEASURING_LOP'],
    PUSH_PROGRAM: ['PROGRAM_LOADED'],
    DEFLATE: ['DONE'],
    ABORT: ['DONE'],
  },
  ABORTED: {
    SELF_TEST: ['SELF_TEST'],
    MEASURE_LOP: ['MEASURING_LOP'],
    PUSH_PROGRAM: ['PROGRAM_LOADED'],
    DEFLATE: ['ABORTED'],
    ABORT: ['ABORTED'],
  },
  ALARM_DEFLATING: { DEFLATE: ['ALARM_DEFLATING'], ABORT: ['ALARM_DEFLATING'] },
  FAULT: { CLEAR_ALARM: ['IDLE'], DEFLATE: ['FAULT'], ABORT: ['FAULT'] },
};

/** States in which a cuff may hold pressure on purpose. */
export const INFLATED_STATES: ReadonlySet<CuffState> = new Set([
  'SELF_TEST',
  'MEASURING_LOP',
  'INFLATING',
  'HOLDING',
  'SET_REST',
]);

export function acceptedIn(state: CuffState, command: CommandType): readonly CuffState[] | undefined {
  return COMMAND_TRANSITIONS[state][command];
}
