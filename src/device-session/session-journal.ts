import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import { DeviceSessionEventRecord } from './device-session-event.entity';
import { DeviceSessionSetRecord } from './device-session-set.entity';
import { DeviceSessionRecord } from './device-session.entity';

export type JournalEvent = Omit<DeviceSessionEventRecord, 'sessionId' | 'seq'>;
export type JournalAlarm = Omit<DeviceSessionAlarmRecord, 'sessionId' | 'seq'>;
export type JournalPhase = Omit<DeviceSessionSetRecord, 'sessionId'>;
export type SessionChanges = Partial<
  Pick<DeviceSessionRecord, 'status' | 'deviceState' | 'startedAt' | 'endedAt' | 'endReason' | 'summary' | 'trace'>
>;

/**
 * Writes what the supervisor observes about a session, in the order it observed it. Writes of one
 * session are queued one after another, so a slow database never reorders a session's log and
 * never holds up the supervisor's reaction to the cuff.
 */
export class SessionJournal {
  private readonly logger = new Logger('SessionJournal');
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counters = new Map<string, { events: number; alarms: number }>();

  constructor(private readonly dataSource: DataSource) {}

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
      .then(() => work(this.dataSource.manager))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.error({ err: error, sessionId }, 'a device session record could not be written'),
      );
    this.tails.set(sessionId, tail);
  }
}
