import { Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';

import { Clock } from '../common/clock';
import {
  auditHash,
  type AuditFacts,
  type ChainedAuditRecord,
  type ChainVerification,
  GENESIS_HASH,
  verifyAuditChain,
} from './audit-chain';
import { AuditEvent } from './audit-event.entity';
import { AuditCheckpoint } from './audit-checkpoint';

export type AuditEntry = Omit<AuditFacts, 'seq' | 'at'>;

/** Any number shared by every replica: PostgreSQL serialises appends to the chain on it. */
const CHAIN_LOCK = 0x4bf7a0d1;
const MAX_APPEND_ATTEMPTS = 5;
const VERIFY_BATCH = 1000;
/** Rows per INSERT statement; keeps a large group under SQLite's bound-parameter limit. */
const INSERT_BATCH = 50;

function auditFacts(event: AuditEvent): ChainedAuditRecord {
  return {
    seq: event.seq,
    at: event.at.toISOString(),
    actor: event.actor,
    tenant: event.tenant,
    roles: event.roles ? event.roles.split(',') : [],
    action: event.action,
    resourceId: event.resourceId,
    outcome: event.outcome,
    status: event.status,
    requestId: event.requestId,
    ...(event.callerRequestId !== null ? { callerRequestId: event.callerRequestId } : {}),
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

function isDuplicateKey(error: unknown): boolean {
  const code =
    (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
    (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT';
}

interface PendingAppend {
  entry: AuditEntry;
  resolve(record: ChainedAuditRecord): void;
  reject(error: unknown): void;
}

/**
 * The append-only, hash-chained record of who did what. Appends are serialised in this process
 * and written in groups (all that arrived while the previous group was being written share one
 * transaction); PostgreSQL replicas serialise on an advisory lock, and a group is retried when
 * another process took its sequence numbers first.
 */
@Injectable()
export class AuditTrail implements OnApplicationShutdown {
  private pending: PendingAppend[] = [];
  private writing = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Optional() private readonly checkpoint?: AuditCheckpoint,
  ) {}

  /** The head is anchored when the service stops, after the last records were written. */
  async onApplicationShutdown(): Promise<void> {
    await this.drained;
    await this.checkpoint?.flush();
  }

  /** Records up to `record` were committed: the checkpoint may move to it. */
  committed(record: ChainedAuditRecord): void {
    this.checkpoint?.advance({ seq: record.seq, hash: record.hash });
  }

  record(entry: AuditEntry): Promise<ChainedAuditRecord> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      void this.drain();
    });
  }

  private drain(): Promise<void> {
    if (!this.writing) {
      this.writing = true;
      this.drained = this.writeGroups();
    }
    return this.drained;
  }

  private async writeGroups(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        const records = await this.append(
          group.map((p) => p.entry),
          1,
        );
        this.committed(records[records.length - 1]);
        group.forEach((p, i) => p.resolve(records[i]));
      } catch (error) {
        await this.appendEachOf(group, error);
      }
    }
    this.writing = false;
  }

  /** A group that could not be written is written record by record, so one bad record fails only its own request. */
  private async appendEachOf(group: PendingAppend[], groupError: unknown): Promise<void> {
    if (group.length === 1) {
      group[0].reject(groupError);
      return;
    }
    for (const pending of group) {
      try {
        const [record] = await this.append([pending.entry], 1);
        this.committed(record);
        pending.resolve(record);
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /**
   * Appends a record inside the caller's transaction, so that it commits, or not, with the writes
   * it describes. On PostgreSQL the chain lock is held from here to the caller's commit.
   */
  async recordWithin(manager: EntityManager, entry: AuditEntry): Promise<ChainedAuditRecord> {
    const [record] = await this.appendIn(manager, [entry]);
    return record;
  }

  /** Appends records, in their order, inside the caller's transaction (a SQLite group commit's end). */
  recordAllWithin(manager: EntityManager, entries: AuditEntry[]): Promise<ChainedAuditRecord[]> {
    return this.appendIn(manager, entries);
  }

  private async append(entries: AuditEntry[], attempt: number): Promise<ChainedAuditRecord[]> {
    try {
      return await this.dataSource.transaction((manager) => this.appendIn(manager, entries));
    } catch (error) {
      if (attempt < MAX_APPEND_ATTEMPTS && isDuplicateKey(error)) {
        return this.append(entries, attempt + 1);
      }
      throw error;
    }
  }

  private async appendIn(manager: EntityManager, entries: AuditEntry[]): Promise<ChainedAuditRecord[]> {
    if (this.dataSource.options.type === 'postgres') {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    }
    const events = manager.getRepository(AuditEvent);
    const [last] = await events.find({ order: { seq: 'DESC' }, take: 1 });
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const at = this.clock.now().toISOString();
    const records = entries.map((entry) => {
      seq += 1;
      const facts: AuditFacts = { ...entry, seq, at };
      const record = { ...facts, prevHash, hash: auditHash(facts, prevHash) };
      prevHash = record.hash;
      return record;
    });
    for (let i = 0; i < records.length; i += INSERT_BATCH) {
      await events.insert(
        records.slice(i, i + INSERT_BATCH).map((r) => ({
          ...r,
          at: new Date(r.at),
          roles: r.roles.join(','),
          callerRequestId: r.callerRequestId ?? null,
        })),
      );
    }
    return records;
  }

  /** A tenant's records after a sequence number, oldest first. */
  async list(tenant: string, query: { after: number; limit: number; actor?: string }): Promise<ChainedAuditRecord[]> {
    const events = await this.dataSource.getRepository(AuditEvent).find({
      where: { tenant, seq: MoreThan(query.after), ...(query.actor ? { actor: query.actor } : {}) },
      order: { seq: 'ASC' },
      take: query.limit,
    });
    return events.map(auditFacts);
  }

  /**
   * Checks the whole chain, batch by batch, and reports the first broken link; then that the chain
   * still reaches the head anchored in the checkpoint, so that removing its last records is seen.
   * For one organization (`tenant`), the whole chain is still checked but only its own records are
   * counted and named, so the answer says nothing of other organizations' activity.
   */
  async verify(tenant?: string): Promise<ChainVerification> {
    const events = this.dataSource.getRepository(AuditEvent);
    let position = { seq: 0, head: GENESIS_HASH };
    let checked = 0;
    let ownHead = GENESIS_HASH;
    let ownBroken = false;
    for (;;) {
      const batch = (
        await events.find({ where: { seq: MoreThan(position.seq) }, order: { seq: 'ASC' }, take: VERIFY_BATCH })
      ).map(auditFacts);
      const result = verifyAuditChain(batch, position);
      if (tenant === undefined) {
        checked += result.checked;
      } else {
        const own = batch.slice(0, result.checked).filter((record) => record.tenant === tenant);
        checked += own.length;
        ownHead = own.at(-1)?.hash ?? ownHead;
        ownBroken = batch[result.checked]?.tenant === tenant;
      }
      position = { seq: position.seq + result.checked, head: result.head };
      if (!result.intact || batch.length < VERIFY_BATCH) {
        const whole = result.intact
          ? await this.againstCheckpoint({ ...result, checked }, position.seq)
          : { ...result, checked };
        if (tenant === undefined) {
          return whole;
        }
        // An admin learns that the chain is broken, but which record only when it is the organization's.
        return {
          intact: whole.intact,
          checked,
          head: ownHead,
          ...(whole.firstBroken && ownBroken ? { firstBroken: whole.firstBroken } : {}),
        };
      }
    }
  }

  private async againstCheckpoint(result: ChainVerification, lastSeq: number): Promise<ChainVerification> {
    const anchor = this.checkpoint?.read();
    if (!anchor) {
      return result;
    }
    const broken = (seq: number, reason: string): ChainVerification => ({
      ...result,
      intact: false,
      firstBroken: { seq, reason },
    });
    if (anchor.seq > lastSeq) {
      return broken(
        lastSeq + 1,
        `the checkpoint says the trail reached record ${anchor.seq}, but it ends at record ${lastSeq}: its last records were removed`,
      );
    }
    const anchored = await this.dataSource
      .getRepository(AuditEvent)
      .findOne({ where: { seq: anchor.seq }, select: ['hash'] });
    if (anchored?.hash !== anchor.hash) {
      return broken(
        anchor.seq,
        'its hash is not the one the checkpoint holds: the trail was rewritten from here or before',
      );
    }
    return { ...result, anchoredAt: anchor.seq };
  }
}
