import type { AlarmCode } from '../device-adapter/protocol';

/** The alarms the supervisor raises from its own watch of the link, the telemetry and the clock. */
export type SupervisorAlarmCode =
  /** SR-7: no telemetry for longer than the cuff may go unheard. */
  | 'TELEMETRY_LOST'
  /** The cuff went offline, or did not answer a command at all. */
  | 'DEVICE_OFFLINE'
  /** A command went unacknowledged within its deadline. */
  | 'NO_ACK'
  /** The cuff refused DEFLATE or could not be told: it may still be inflated. */
  | 'DEFLATE_UNCONFIRMED'
  /** SR-1: a reading at or above the trip pressure. */
  | 'OVERPRESSURE'
  /** SR-5: a channel inflated again before its reperfusion time between blocks. */
  | 'REPERFUSION_SHORT'
  /** SR-4: a channel inflated beyond the time its block allows. */
  | 'BLOCK_TIME_LIMIT'
  /** SR-6: a limb's inflation time for the session used up. */
  | 'SESSION_TIME_LIMIT'
  /** SR-8: held above the window for longer than the cuff may stay there. */
  | 'PRESSURE_HIGH'
  /** SR-8: out of the window for longer than the alarm delay; recorded, not deflated. */
  | 'PRESSURE_OUT_OF_WINDOW'
  /** The replica supervising the session stopped renewing its lease; another took the cuff over and deflated it. */
  | 'SUPERVISOR_LOST';

/** The code of a session alarm: raised by the supervisor, or reported by the cuff (protocol AlarmCode). */
export type SessionAlarmCode = SupervisorAlarmCode | AlarmCode;
