import type { Ack, Command, DeviceEvent } from '../device-adapter/protocol';

/** One line for the session log: the command, the cuff's answer and the state it is in. */
export function describeCommand(command: Command, ack: Ack): string {
  return `${command.type} → ${ack.result}${ack.detail ? ` (${ack.detail})` : ''}; cuff ${ack.state}`;
}

/** One line for the session log, block and set counted from 1 as the clinician counts them. */
export function describeEvent(event: DeviceEvent): string {
  const detail = event.event;
  switch (detail.kind) {
    case 'BOOTED':
      return `Cuff started (${detail.reason})`;
    case 'STATE_CHANGED':
      return `Cuff ${detail.from} → ${detail.to}`;
    case 'ALARM_RAISED':
      return `Alarm ${detail.alarm}${detail.channel ? ` on channel ${detail.channel}` : ''}: ${detail.detail}${detail.action === 'deflate' ? ' (cuff deflated)' : ''}`;
    case 'ALARM_CLEARED':
      return `Alarm ${detail.alarm} cleared${detail.channel ? ` on channel ${detail.channel}` : ''}`;
    case 'SELF_TEST_PASSED':
      return `Self-test passed: ${detail.detail}`;
    case 'SELF_TEST_FAILED':
      return `Self-test failed: ${detail.detail}`;
    case 'LOP_MEASURED':
      return detail.lop.found
        ? `LOP measured on channel ${detail.lop.channel}: ${detail.lop.lopMmHg} mmHg`
        : `No LOP found on channel ${detail.lop.channel} (${detail.lop.reason ?? 'unknown'})`;
    case 'SET_STARTED':
      return `Block ${detail.blockIndex + 1}, set ${detail.setIndex + 1} started at ${detail.targetMmHg} mmHg`;
    case 'SET_COMPLETED':
      return `Block ${detail.blockIndex + 1}, set ${detail.setIndex + 1} completed (${detail.workS} s)`;
    case 'BLOCK_COMPLETED':
      return `Block ${detail.blockIndex + 1} completed (${Math.round(detail.occlusionS)} s occluded)`;
    case 'SESSION_COMPLETED':
      return 'Program completed';
    case 'BUTTON_PRESSED':
      return 'Button pressed on the cuff';
  }
}
