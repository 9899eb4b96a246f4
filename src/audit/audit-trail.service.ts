import { Injectable } from '@nestjs/common';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';

import { Clock } from '../common/clock';
import { auditHash, type AuditFacts, type ChainedAuditRecord, type ChainVerification, GENESIS_HASH, verifyAuditChain } from './audit-chain';
import { AuditEvent } from './audit-event.entity';

export type AuditEntry = Omit<AuditFacts, 'seq' | 'at'>;

/** Any number shared by every replica: PostgreSQL serialises appends to the chain on it. */
const CHAIN_LOCK = 0x4bf7a0d1;
const MAX_APPEND_ATTEMPTS = 5;
const VERIFY_BATCH = 1000;

export function auditFacts(event: AuditEvent): ChainedAuditRecord {
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
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

function isDuplicateKey(error: unknown): boolean {
  const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT';
}

/**
 * The append-only, hash-chained record of who did what. Appends are serialised in this process,
 * by an advisory lock on PostgreSQL, and retried when another process took the sequence number.
 */
@Injectable()
export class AuditTrail {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  record(entry: AuditEntry): Promise<ChainedAuditRecord> {
    const appended = this.tail.then(() => this.append(entry, 1));
    this.tail = appended.catch(() => undefined);
    return appended;
  }

  private async append(entry: AuditEntry, attempt: number): Promise<ChainedAuditRecord> {
    try {
      return await this.dataSource.transaction((manager) => this.appendIn(manager, entry));
    } catch (error) {
      if (attempt < MAX_APPEND_ATTEMPTS && isDuplicateKey(error)) {
        return this.append(entry, attempt + 1);
      }
      throw error;
    }
  }

  private async appendIn(manager: EntityManager, entry: AuditEntry): Promise<ChainedAuditRecord> {
    if (this.dataSource.options.type === 'postgres') {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    }
    const events = manager.getRepository(AuditEvent);
    const [last] = await events.find({ order: { seq: 'DESC' }, take: 1 });
    const facts: AuditFacts = { ...entry, seq: (last?.seq ?? 0) + 1, at: this.clock.now().toISOString() };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const hash = auditHash(facts, prevHash);
    await events.insert({ ...facts, at: new Date(facts.at), roles: facts.roles.join(','), prevHash, hash });
    return { ...facts, prevHash, hash };
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

  /** Checks the whole chain, batch by batch, and reports the first broken link. */
  async verify(): Promise<ChainVerification> {
    const events = this.dataSource.getRepository(AuditEvent);
    let position = { seq: 0, head: GENESIS_HASH };
    let checked = 0;
    for (;;) {
      const batch = await events.find({ where: { seq: MoreThan(position.seq) }, order: { seq: 'ASC' }, take: VERIFY_BATCH });
      const result = verifyAuditChain(batch.map(auditFacts), position);
      checked += result.checked;
      if (!result.intact || batch.length < VERIFY_BATCH) {
        return { ...result, checked };
      }
      position = { seq: batch[batch.length - 1].seq, head: result.head };
    }
  }
}
