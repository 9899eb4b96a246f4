import { type Ack, type Command, type DeviceEvent, PROTOCOL_VERSION } from '../device-adapter/protocol';
import { journalEntry } from './journal-entries';

const time = { at: new Date('2026-03-02T09:00:00.000Z'), elapsedMs: 1500 };

describe('journalEntry', () => {
  it('records a command with the parts of the acknowledgement the log keeps', () => {
    const command: Command = { type: 'START', body: { programId: 'p-1' } };
    const ack: Ack = {
      v: PROTOCOL_VERSION,
      msgId: 'm-2',
      type: 'ACK',
      deviceId: 'cuff-1',
      ackOf: 'm-1',
      result: 'REJECTED_STATE',
      detail: 'no program',
      state: 'READY',
      at: time.at.toISOString(),
    };
    expect(journalEntry.command(time, 'dr-lee', command, ack)).toEqual({
      ...time,
      kind: 'command',
      actor: 'dr-lee',
      summary: 'START → REJECTED_STATE (no program); cuff READY',
      detail: JSON.stringify({
        command: 'START',
        ack: { result: 'REJECTED_STATE', detail: 'no program', state: 'READY', programSha256: null },
      }),
    });
  });

  it('records a cuff event whole, worded as the clinician reads it, by the device', () => {
    const event: DeviceEvent = {
      v: PROTOCOL_VERSION,
      type: 'EVENT',
      msgId: 'm-3',
      deviceId: 'cuff-1',
      at: time.at.toISOString(),
      state: 'ABORTED',
      programId: null,
      event: { kind: 'BUTTON_PRESSED' },
    };
    expect(journalEntry.deviceEvent(time, event)).toEqual({
      ...time,
      kind: 'device-event',
      actor: 'device',
      summary: 'Button pressed on the cuff',
      detail: JSON.stringify(event),
    });
  });

  it('records a note with no detail', () => {
    expect(journalEntry.note(time, 'supervisor', 'Stopped.')).toEqual({
      ...time,
      kind: 'note',
      actor: 'supervisor',
      summary: 'Stopped.',
      detail: '{}',
    });
  });
});
