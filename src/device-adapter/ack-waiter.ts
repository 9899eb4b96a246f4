import { DeviceNoAckError } from './cuff-transport';
import { DEVICE_LIMITS } from './device-limits';
import type { Ack, CommandEnvelope } from './protocol';
import type { TimerHandle, Timers } from './timers';

interface Waiting {
  deviceId: string;
  resolve(ack: Ack): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

/** Matches acks to the commands sent, and fails a command whose ack does not come in time (SR-11). */
export class AckWaiter {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly timers: Timers,
    private readonly deadlineMs = DEVICE_LIMITS.ackDeadlineMs,
  ) {}

  /** Starts the deadline for a command about to be sent. */
  expect(envelope: CommandEnvelope): Promise<Ack> {
    return new Promise<Ack>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.waiting.delete(envelope.msgId);
        reject(new DeviceNoAckError(envelope.deviceId, envelope.type, envelope.msgId, this.deadlineMs));
      }, this.deadlineMs);
      this.waiting.set(envelope.msgId, { deviceId: envelope.deviceId, resolve, reject, timer });
    });
  }

  /** Settles the command an ack answers; false for an ack nobody waits for (late, repeated, or from the wrong cuff). */
  settle(ack: Ack): boolean {
    const waiting = this.waiting.get(ack.ackOf);
    if (!waiting || waiting.deviceId !== ack.deviceId) {
      return false;
    }
    this.waiting.delete(ack.ackOf);
    this.timers.clearTimeout(waiting.timer);
    waiting.resolve(ack);
    return true;
  }

  /** Fails the command whose sending failed. */
  fail(msgId: string, error: Error): void {
    const waiting = this.waiting.get(msgId);
    if (waiting) {
      this.waiting.delete(msgId);
      this.timers.clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }

  /** Fails everything still waiting, e.g. when the transport stops. */
  failAll(error: (msgId: string) => Error): void {
    for (const msgId of [...this.waiting.keys()]) {
      this.fail(msgId, error(msgId));
    }
  }
}
