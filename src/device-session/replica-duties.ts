import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { Command } from '../device-adapter/protocol';
import type { Timers } from '../device-adapter/timers';
import { type CuffLeases, type ExpiredLease, RENEW_EVERY_MS } from './cuff-leases';
import { DeviceSessionRecord } from './device-session.entity';
import { journalEntry } from './journal-entries';
import type { SessionCommandInbox } from './session-command-inbox';
import type { SessionJournal } from './session-journal';
import type { SessionSupervisor } from './session-supervisor';
import { ACTIVE_STATUSES } from './session-types';

/** How often a replica looks for sessions whose supervisor stopped renewing its lease. */
const TAKEOVER_SCAN_MS = 1_000;
/** How often the supervising replica looks for commands forwarded to it. */
const INBOX_POLL_MS = 200;

/**
 * What each replica does in the background for the others: renews the leases of the cuffs it
 * holds (a lost one stops its supervision at once), carries out commands forwarded to the
 * sessions it supervises, and takes over the sessions of a replica that stopped renewing.
 *
 * A session taken over is ended as aborted and its cuff deflated under the new epoch, not resumed:
 * the supervisor's deadlines (each block's and the limb's inflation time, reperfusion) were kept
 * in the memory of the replica that died, and a session is never continued without them.
 */
export class ReplicaDuties implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ReplicaDuties');
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();

  constructor(
    private readonly leases: CuffLeases,
    private readonly supervisor: SessionSupervisor,
    private readonly journal: SessionJournal,
    private readonly inbox: SessionCommandInbox,
    private readonly db: DataSource,
    private readonly timers: Timers,
  ) {}

  onModuleInit(): void {
    this.every(RENEW_EVERY_MS, 'renew', () => this.renew());
    this.every(TAKEOVER_SCAN_MS, 'takeover', () => this.scan());
    if (this.db.options.type === 'sqlite') {
      // One process serves an SQLite database: no other replica forwards it commands.
      return;
    }
    this.every(INBOX_POLL_MS, 'inbox', () =>
      this.inbox.drain(
        (id) => this.supervisor.session(id),
        this.leases
          .heldLeases()
          .flatMap((l) => (l.sessionId && this.supervisor.session(l.sessionId) ? [l.sessionId] : [])),
        (id) => this.journal.flushed(id),
      ),
    );
  }

  onModuleDestroy(): void {
    this.intervals.forEach((interval) => clearInterval(interval));
    this.intervals.length = 0;
  }

  private async renew(): Promise<void> {
    for (const lost of await this.leases.renew()) {
      this.logger.warn(
        { deviceId: lost.deviceId, sessionId: lost.sessionId, epoch: lost.epoch },
        'lost the lease of a cuff; its session is no longer supervised here',
      );
      this.supervisor.relinquish(lost.deviceId);
    }
  }

  private async scan(): Promise<void> {
    for (const expired of await this.leases.expired()) {
      if (expired.holder !== this.leases.replicaId) {
        await this.takeOver(expired);
      }
    }
  }

  /** Claims the cuff under the next epoch, deflates it and ends its session as aborted, with the reason. */
  async takeOver(expired: ExpiredLease): Promise<void> {
    const lease = await this.leases.claim(expired.deviceId, expired.sessionId, {
      sessionId: expired.sessionId,
      epoch: expired.epoch,
    });
    if (!lease) {
      return;
    }
    try {
      const record = await this.db.manager.findOne(DeviceSessionRecord, { where: { id: expired.sessionId } });
      const abort: Command = { type: 'ABORT', body: {} };
      const ack = await this.supervisor.send(expired.deviceId, abort).catch(() => null);
      if (!record || !ACTIVE_STATUSES.includes(record.status)) {
        // The lease outlived its session (its replica stopped between preparing and storing it): the cuff is deflated all the same.
        return;
      }
      const now = this.timers.now();
      const at = new Date(now);
      const elapsedMs = Math.max(0, now - record.createdAt.getTime());
      const lapsedS = Math.max(0, Math.round(expired.lapsedMs / 1000));
      const reason = `The instance of the service supervising the session (${expired.holder ?? 'unknown'}) stopped renewing its hold on the cuff ${lapsedS} s ago; instance ${this.leases.replicaId} took the cuff over (epoch ${lease.epoch}), ${ack?.result === 'OK' ? 'deflated it' : 'told it to deflate'} and ended the session.`;
      await this.journal.resume(record.id);
      this.journal.fence(record.id, this.leases.fenceOf(expired.deviceId));
      this.journal.alarm(record.id, {
        at,
        elapsedMs,
        code: 'SUPERVISOR_LOST',
        source: 'server',
        action: 'deflated',
        channel: null,
        message: reason,
      });
      if (ack) {
        this.journal.event(record.id, journalEntry.command({ at, elapsedMs }, 'supervisor', abort, ack));
      } else {
        this.journal.alarm(record.id, {
          at,
          elapsedMs,
          code: 'DEFLATE_UNCONFIRMED',
          source: 'server',
          action: 'recorded',
          channel: null,
          message:
            'The cuff did not acknowledge ABORT; it deflates on its own once no heartbeat reaches it (within 5 s), but check that it is deflated.',
        });
      }
      this.journal.update(record.id, {
        status: 'aborted',
        endedAt: at,
        endReason: reason,
        deviceState: (ack?.state ?? record.deviceState) as string | null,
      });
      await this.journal.close(record.id);
      this.logger.warn(
        {
          sessionId: record.id,
          deviceId: expired.deviceId,
          from: expired.holder,
          epoch: lease.epoch,
          ack: ack?.result ?? null,
        },
        'took over a device session and ended it',
      );
    } finally {
      await this.leases.release(expired.deviceId).catch(() => undefined);
    }
  }

  /** Runs `work` every `ms`, one run at a time, logging failures (a database out of reach is retried on the next tick). */
  private every(ms: number, name: string, work: () => Promise<void>): void {
    const interval = setInterval(() => {
      if (this.busy.has(name)) {
        return;
      }
      this.busy.add(name);
      work()
        .catch((error: unknown) => this.logger.error({ err: error }, `${name} failed`))
        .finally(() => this.busy.delete(name));
    }, ms);
    interval.unref();
    this.intervals.push(interval);
  }
}
