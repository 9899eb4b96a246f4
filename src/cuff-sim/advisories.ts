import type { AlarmCode } from '../device-adapter/protocol';
import type { CuffChannel } from './cuff-channel';
import type { FirmwareState } from './firmware-state';

/** Alarms that only warn (action none): raised once when their condition starts, cleared when it ends. */
export class Advisories {
  constructor(private readonly firmware: FirmwareState) {}

  set(unit: CuffChannel, alarm: AlarmCode, active: boolean, detail: string, at: number): void {
    if (active && !unit.advisories.has(alarm)) {
      unit.advisories.add(alarm);
      this.firmware.emit({ kind: 'ALARM_RAISED', alarm, channel: unit.channel, action: 'none', detail }, at);
    } else if (!active && unit.advisories.has(alarm)) {
      unit.advisories.delete(alarm);
      this.firmware.emit({ kind: 'ALARM_CLEARED', alarm, channel: unit.channel }, at);
    }
  }

  /** Clears every advisory of a channel and forgets how long its pressure has been out of the window. */
  clearAll(unit: CuffChannel, at: number): void {
    for (const alarm of [...unit.advisories]) {
      this.set(unit, alarm, false, '', at);
    }
    unit.highSinceMs = null;
    unit.lowSinceMs = null;
  }
}
