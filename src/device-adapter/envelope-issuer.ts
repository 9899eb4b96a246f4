import { randomUUID } from 'node:crypto';

import { DEVICE_LIMITS } from './device-limits';
import { type Command, type CommandEnvelope, PROTOCOL_VERSION } from './protocol';
import type { Timers } from './timers';

/** How long a command counts after it is issued; well inside the 5-minute maximum of SR-10. */
export const DEFAULT_COMMAND_LIFETIME_MS = 30_000;

/**
 * Wraps commands in envelopes. `seq` starts from the clock in milliseconds and only goes up, so a
 * restarted server still sends numbers above those a cuff has seen (the cuff refuses lower ones).
 */
export class EnvelopeIssuer {
  private lastSeq = 0;

  constructor(
    private readonly timers: Timers,
    private readonly lifetimeMs = DEFAULT_COMMAND_LIFETIME_MS,
  ) {
    if (lifetimeMs <= 0 || lifetimeMs > DEVICE_LIMITS.maxCommandLifetimeMs) {
      throw new RangeError(`a command lifetime must be within (0, ${DEVICE_LIMITS.maxCommandLifetimeMs}] ms, not ${lifetimeMs}`);
    }
  }

  issue(deviceId: string, command: Command): CommandEnvelope {
    const now = this.timers.now();
    this.lastSeq = Math.max(this.lastSeq + 1, now);
    return {
      v: PROTOCOL_VERSION,
      msgId: randomUUID(),
      deviceId,
      seq: this.lastSeq,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.lifetimeMs).toISOString(),
      ...command,
    } as CommandEnvelope;
  }
}
