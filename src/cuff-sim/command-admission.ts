import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { type AckResult, ALWAYS_ACCEPTED, CommandEnvelope, type CommandType } from '../device-adapter/protocol';
import type { FirmwareState } from './firmware-state';

const { max } = Math;

const REMEMBERED_MSG_IDS = 512;
const ANSWERABLE_MSG_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export type Admission =
  | { kind: 'deflate'; how: 'DEFLATE' | 'ABORT' }
  | { kind: 'refused'; result: AckResult; detail: string }
  | { kind: 'admitted'; command: CommandEnvelope };

/** The message id an ack can quote, or null when the message has none fit to be echoed. */
export function answerableMsgId(raw: unknown): string | null {
  const msgId = typeof raw === 'object' && raw !== null ? (raw as { msgId?: unknown }).msgId : undefined;
  return typeof msgId === 'string' && ANSWERABLE_MSG_ID.test(msgId) ? msgId : null;
}

/**
 * The cuff's door for commands off the wire (untrusted): the envelope, the addressee, replays
 * (seq only goes up; message ids are remembered; SR-12) and the command's lifetime against the
 * cuff's own clock (SR-10). DEFLATE and ABORT meant for this cuff go through whatever else is
 * wrong with them (SR-13). A command from a controller that has been fenced off (its epoch below
 * the highest seen) is refused: once another replica has taken the cuff over, the old one can
 * never inflate it again.
 */
export class CommandAdmission {
  /** Kept across reboots, as in non-volatile memory: a reboot must not reopen the door to replays. */
  private lastSeq = -1;
  /** The highest controller epoch seen; kept across reboots like the seq. */
  private lastEpoch = 0;
  private readonly seenMsgIds = new Set<string>();

  constructor(private readonly firmware: FirmwareState) {}

  admit(raw: unknown, now: number): Admission {
    const deviceId = this.firmware.deviceId;
    const rawType = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const rawDevice = typeof raw === 'object' && raw !== null ? (raw as { deviceId?: unknown }).deviceId : undefined;
    if (ALWAYS_ACCEPTED.includes(rawType as CommandType) && (rawDevice === undefined || rawDevice === deviceId)) {
      const parsed = CommandEnvelope.safeParse(raw);
      if (parsed.success) {
        this.remember(parsed.data.msgId, parsed.data.seq);
        this.lastEpoch = max(this.lastEpoch, parsed.data.epoch ?? 0);
      }
      return { kind: 'deflate', how: rawType as 'DEFLATE' | 'ABORT' };
    }

    const parsed = CommandEnvelope.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
      return refused('INVALID', issues.join('; '));
    }
    const command = parsed.data;
    if (command.deviceId !== deviceId) {
      return refused('INVALID', `addressed to ${command.deviceId}, this is ${deviceId}`);
    }
    if (this.seenMsgIds.has(command.msgId) || command.seq <= this.lastSeq) {
      return refused(
        'REJECTED_REPLAY',
        `seq ${command.seq} is not above ${this.lastSeq}, or message ${command.msgId} was seen before`,
      );
    }
    this.remember(command.msgId, command.seq);
    const epoch = command.epoch ?? 0;
    if (epoch < this.lastEpoch) {
      return refused(
        'REJECTED_CONFLICT',
        `epoch ${epoch} is below ${this.lastEpoch}: another controller has taken this cuff over`,
      );
    }

    const issuedAt = Date.parse(command.issuedAt);
    const expiresAt = Date.parse(command.expiresAt);
    const deviceNow = now + this.firmware.skewMs;
    if (expiresAt <= issuedAt || expiresAt - issuedAt > DEVICE_LIMITS.maxCommandLifetimeMs) {
      return refused('INVALID', `a command may live at most ${DEVICE_LIMITS.maxCommandLifetimeMs / 1000} s`);
    }
    if (expiresAt <= deviceNow) {
      return refused(
        'REJECTED_EXPIRED',
        `expired at ${command.expiresAt}; the cuff's time is ${this.firmware.deviceTime(now)}`,
      );
    }
    if (issuedAt > deviceNow + DEVICE_LIMITS.maxCommandLifetimeMs) {
      return refused(
        'REJECTED_EXPIRED',
        `issued at ${command.issuedAt}, in the cuff's future (${this.firmware.deviceTime(now)}): the clocks disagree`,
      );
    }
    this.lastEpoch = epoch;
    return { kind: 'admitted', command };
  }

  /** A power cycle forgets the message ids (volatile memory) but not the highest seq. */
  forgetMessages(): void {
    this.seenMsgIds.clear();
  }

  private remember(msgId: string, seq: number): void {
    this.lastSeq = max(this.lastSeq, seq);
    this.seenMsgIds.add(msgId);
    if (this.seenMsgIds.size > REMEMBERED_MSG_IDS) {
      this.seenMsgIds.delete(this.seenMsgIds.values().next().value as string);
    }
  }
}

function refused(result: AckResult, detail: string): Admission {
  return { kind: 'refused', result, detail };
}
