import { randomUUID } from 'node:crypto';

import type { CommandSequence } from './command-sequence';
import { DEVICE_LIMITS } from './device-limits';
import { type Command, type CommandEnvelope, PROTOCOL_VERSION } from './protocol';
import type { Timers } from './timers';

/** How long a command counts after it is issued; well inside the 5-minute maximum of SR-10. */
export const DEFAULT_COMMAND_LIFETIME_MS = 30_000;

/**
 * Wraps commands in envelopes. `seq` starts from the clock in milliseconds and only goes up, so a
 * restarted server still sends numbers above those a cuff has seen (the cuff refuses lower ones).
 * With a shared sequence (several replicas on one database) `claim` takes the number from it.
 */
export class EnvelopeIssuer {
  private lastSeq = 0;

  constructor(
    private readonly timers: Timers,
    private readonly lifetimeMs = DEFAULT_COMMAND_LIFETIME_MS,
    private readonly sequence: CommandSequence | null = null,
  ) {
    if (lifetimeMs <= 0 || lifetimeMs > DEVICE_LIMITS.maxCommandLifetimeMs) {
      throw new RangeError(
        `a command lifetime must be within (0, ${DEVICE_LIMITS.maxCommandLifetimeMs}] ms, not ${lifetimeMs}`,
      );
    }
  }

  /** An envelope numbered by this process alone. */
  issue(deviceId: string, command: Command, epoch?: number): CommandEnvelope {
    const now = this.timers.now();
    this.lastSeq = Math.max(this.lastSeq + 1, now);
    return this.envelope(deviceId, command, this.lastSeq, now, epoch);
  }

  /** An envelope numbered by the shared sequence when there is one; rejects when it cannot be reached. */
  async claim(deviceId: string, command: Command, epoch?: number): Promise<CommandEnvelope> {
    if (!this.sequence) {
      return this.issue(deviceId, command, epoch);
    }
    const seq = await this.sequence.next(deviceId, this.timers.now());
    return this.envelope(deviceId, command, seq, this.timers.now(), epoch);
  }

  private envelope(
    deviceId: string,
    command: Command,
    seq: number,
    now: number,
    epoch: number | undefined,
  ): CommandEnvelope {
    return {
      v: PROTOCOL_VERSION,
      msgId: randomUUID(),
      deviceId,
      seq,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.lifetimeMs).toISOString(),
      ...(epoch !== undefined && { epoch }),
      ...command,
    } as CommandEnvelope;
  }
}
