import type { Ack, Command, DeviceEvent } from '../device-adapter/protocol';
import { describeCommand, describeEvent } from './event-wording';
import type { JournalEvent } from './session-journal';

/** When an entry happened: the supervisor's clock, and the time since the session was created. */
export interface JournalTime {
  at: Date;
  elapsedMs: number;
}

/**
 * The entries of a session's log, built here alone so that the events logged while the cuff is
 * readied and those of the running session read the same.
 */
export const journalEntry = {
  /** A command sent by `actor` and the cuff's acknowledgement of it. */
  command(time: JournalTime, actor: string, command: Command, ack: Ack): JournalEvent {
    return {
      ...time,
      kind: 'command',
      actor,
      summary: describeCommand(command, ack),
      detail: JSON.stringify({
        command: command.type,
        ack: {
          result: ack.result,
          detail: ack.detail ?? null,
          state: ack.state,
          programSha256: ack.programSha256 ?? null,
        },
      }),
    };
  },

  /** Something the cuff reported. */
  deviceEvent(time: JournalTime, event: DeviceEvent): JournalEvent {
    return {
      ...time,
      kind: 'device-event',
      actor: 'device',
      summary: describeEvent(event),
      detail: JSON.stringify(event),
    };
  },

  /** A line written by `actor`, e.g. why a session ended. */
  note(time: JournalTime, actor: string, summary: string): JournalEvent {
    return { ...time, kind: 'note', actor, summary, detail: '{}' };
  },
};
