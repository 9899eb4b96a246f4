import type { DeviceEvent } from '../device-adapter/protocol';
import type { SessionAlarm } from './session-types';

/** What a cuff's event means for the session it runs: an alarm to record, the session to end, or nothing. */
export interface SessionOutcome {
  alarm?: SessionAlarm;
  end?: { status: 'completed' | 'aborted'; reason: string; deflate: boolean };
}

/** Cuff states a running session cannot be in: reaching one ends the session. */
const ENDING_STATES = ['ABORTED', 'FAULT', 'IDLE', 'ALARM_DEFLATING'];

export function sessionOutcomeOf(detail: DeviceEvent['event']): SessionOutcome {
  switch (detail.kind) {
    case 'ALARM_RAISED': {
      const alarm: SessionAlarm = {
        code: detail.alarm,
        source: 'device',
        action: detail.action === 'deflate' ? 'deflated' : 'recorded',
        channel: detail.channel,
        message: detail.detail,
      };
      return detail.action === 'deflate'
        ? {
            alarm,
            end: {
              status: 'aborted',
              reason: `The cuff raised ${detail.alarm} and deflated: ${detail.detail}`,
              deflate: true,
            },
          }
        : { alarm };
    }
    case 'SESSION_COMPLETED':
      return { end: { status: 'completed', reason: 'The program ran to its end.', deflate: false } };
    case 'BOOTED':
      return {
        end: {
          status: 'aborted',
          reason: 'The cuff restarted; a session never resumes after a restart (SR-15).',
          deflate: true,
        },
      };
    case 'BUTTON_PRESSED':
      return { end: { status: 'aborted', reason: 'Stopped with the button on the cuff.', deflate: true } };
    case 'STATE_CHANGED':
      return ENDING_STATES.includes(detail.to)
        ? { end: { status: 'aborted', reason: `The cuff went to ${detail.to}.`, deflate: true } }
        : {};
    default:
      return {};
  }
}
