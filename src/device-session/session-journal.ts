import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import { DeviceSessionEventRecord } from './device-session-event.entity';
import { DeviceSessionSetRecord } from './device-session-set.entity';
import { DeviceSessionRecord } from './device-session.entity';

export type JournalEvent = Omit<DeviceSessionEventRecord, 'sessionId' | 'seq'>;
export type JournalAlarm = Omit<DeviceSessionAlarmRecord, 'sessionId' | 'seq'>;
export type JournalPhase = Omit<DeviceSessionSetRecord, 'sessionId'>;

/** The lease under which a replica writes a session's record: the cuff, the epoch it claimed it under, and this replica. */
export interface JournalFence {
  deviceId: string;
  epoch: number;
  holder: string;
}

/** A write refused because another replica has claimed the session's cuff since. */
export class StaleLeaseError extends Error {
  constructor(sessionId: string, fence: JournalFence) {
    super(
      `device session ${sessionId}: cuff ${fence.deviceId} is no longer held under epoch ${fence.epoch} by ${fence.holder}`,
    );
  }
}

export type SessionChanges = Partial<
  Pick<DeviceSessionRecord, 'status' | 'deviceState' | 'startedAt' | 'endedAt' | 'endReason' | 'summary' | 'trace'>
>;

/**
 * Writes what the supervisor observes about a session, in the order it observed it. Writes of one
 * session are queued one after another, so a slow database never reorders a session's log and
 * never holds up the supervisor's reaction to the cuff.
 *
 * A session supervised under a cuff's lease is fenced: each write checks, in the same transaction
 * and with the lease row locked against a claim, that the cuff is still held under the epoch this
 * replica claimed it with (or under a later lease of its own). Once another replica has claimed
 * it, the write is refused, nothing more is written for the session here, and the stale handler
 * stops its supervision. On SQLite the check and the write are two statements: one process serves
 * the database, so no other replica can claim the cuff between them.
 */
export class SessionJournal {
  private readonly logger = new Logger('SessionJournal');
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counters = new Map<string, { events: number; alarms: number }>();
  private readonly fences = new Map<string, JournalFence>();
  private readonly stale = new Set<string>();
  private onStale: (sessionId: string) => void = () => undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** Writes of the session from now on go through only while the cuff is held under `fence` (a new lease: writes resume). */
  fence(sessionId: string, fence: JournalFence | null): void {
    if (fence) {
      this.fences.set(sessionId, fence);
      this.stale.delete(sessionId);
    }
  }

  /** Called once for a session whose write was refused because another replica holds its cuff now. */
  whenStale(handler: (sessionId: string) => void): void {
    this.onStale = handler;
  }

  /**
   * Stores a new session with the events that led to it. Plain statements, no transaction: on
   * SQLite every writer shares one connection, where a second transaction cannot start while the
   * audit trail's is open. A failure removes what was written.
   */
  async open(record: DeviceSessionRecord, events: JournalEvent[]): Promise<void> {
    const manager = this.dataSource.manager;
    await manager.insert(DeviceSessionRecord, record);
    try {
      if (events.length > 0) {
        await manager.insert(
          DeviceSessionEventRecord,
          events.map((event) => ({ ...event, sessionId: record.id, seq: this.next(record.id, 'events') })),
        );
      }
    } catch (error) {
      this.counters.delete(record.id);
      await manager.delete(DeviceSessionRecord, { id: record.id });
      throw error;
    }
  }

  /** Takes up a session another replica wrote: its events and alarms are numbered on from what is stored. */
  async resume(sessionId: string): Promise<void> {
    const manager = this.dataSource.manager;
    const [events, alarms] = await Promise.all([
      manager.maximum(DeviceSessionEventRecord, 'seq', { sessionId }),
      manager.maximum(DeviceSessionAlarmRecord, 'seq', { sessionId }),
    ]);
    this.counters.set(sessionId, { events: events ?? 0, alarms: alarms ?? 0 });
  }

  event(sessionId: string, event: JournalEvent): void {
    const seq = this.next(sessionId, 'events');
    this.write(sessionId, (m) => m.insert(DeviceSessionEventRecord, { ...event, sessionId, seq }));
  }

  alarm(sessionId: string, alarm: JournalAlarm): void {
    const seq = this.next(sessionId, 'alarms');
    this.write(sessionId, (m) => m.insert(DeviceSessionAlarmRecord, { ...alarm, sessionId, seq }));
  }

  /** Stores a set's statistics, or replaces them when the set went on after a pause. */
  phase(sessionId: string, phase: JournalPhase): void {
    this.write(sessionId, (m) =>
      m.upsert(DeviceSessionSetRecord, { ...phase, sessionId }, ['sessionId', 'blockIndex', 'setIndex', 'phase']),
    );
  }

  update(sessionId: string, changes: SessionChanges): void {
    this.write(sessionId, (m) => m.update(DeviceSessionRecord, { id: sessionId }, changes));
  }

  /** Resolves once everything written for the session so far is stored. */
  flushed(sessionId: string): Promise<void> {
    return this.tails.get(sessionId) ?? Promise.resolve();
  }

  /** Resolves once everything written for any session so far is stored. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  /** Forgets the counters of a session that ended, once its writes are stored. */
  close(sessionId: string): Promise<void> {
    return this.flushed(sessionId).then(() => {
      this.tails.delete(sessionId);
      this.counters.delete(sessionId);
      this.fences.delete(sessionId);
      this.stale.delete(sessionId);
    });
  }

  private next(sessionId: string, kind: 'events' | 'alarms'): number {
    const counter = this.counters.get(sessionId) ?? { events: 0, alarms: 0 };
    counter[kind] += 1;
    this.counters.set(sessionId, counter);
    return counter[kind];
  }

  private write(sessionId: string, work: (manager: EntityManager) => Promise<unknown>): void {
    const tail = (this.tails.get(sessionId) ?? Promise.resolve())
      .then(() => (this.stale.has(sessionId) ? undefined : this.fenced(sessionId, work)))
      .then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof StaleLeaseError)) {
            this.logger.error({ err: error, sessionId }, 'a device session record could not be written');
            return;
          }
          this.logger.warn(
            { sessionId, ...this.fences.get(sessionId) },
            'another replica holds the cuff of this device session now; its record is no longer written here',
          );
          this.stale.add(sessionId);
          this.onStale(sessionId);
        },
      );
    this.tails.set(sessionId, tail);
  }

  private async fenced(sessionId: string, work: (manager: EntityManager) => Promise<unknown>): Promise<void> {
    const fence = this.fences.get(sessionId);
    if (!fence) {
      await work(this.dataSource.manager);
      return;
    }
    const sqlite = this.dataSource.options.type === 'sqlite';
    const check = async (manager: EntityManager) => {
      const rows: unknown[] = await manager.query(
        sqlite
          ? 'SELECT epoch FROM device_leases WHERE device_id = ?1 AND (epoch = ?2 OR holder = ?3)'
          : 'SELECT epoch FROM device_leases WHERE device_id = $1 AND (epoch = $2 OR holder = $3) FOR SHARE',
        [fence.deviceId, fence.epoch, fence.holder],
      );
      if (rows.length === 0) {
        throw new StaleLeaseError(sessionId, fence);
      }
    };
    if (sqlite) {
      await check(this.dataSource.manager);
      await work(this.dataSource.manager);
      return;
    }
    // The share lock on the lease row holds a claim back until this write is committed.
    await this.dataSource.transaction(async (manager) => {
      await check(manager);
      await work(manager);
    });
  }
}
