import { AsyncResource } from 'node:async_hooks';

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { Clock } from '../../common/clock';
import { CdsTokenId } from './cds-token-id.entity';
import type { TokenIdLedger } from './cds-jwt';

const PRUNE_EVERY_MS = 60_000;
/** Token ids inserted by one statement at most (three parameters each, far below either database's limit). */
export const MAX_CLAIMS_PER_INSERT = 64;

interface Claim {
  issuer: string;
  tokenId: string;
  keepUntil: Date;
  resolve: (accepted: boolean) => void;
  reject: (error: unknown) => void;
}

const keyOf = (issuer: string, tokenId: string) => JSON.stringify([issuer, tokenId]);

/**
 * The token ids in the database: the primary key (issuer, jti) makes the first insert win, across
 * replicas and restarts. Ids past their keep-until are deleted at most once a minute per replica.
 *
 * Claims go together: a single statement inserts them all, skipping the ids already there, and
 * returns those it inserted, so one statement in one transaction serves them all instead of one
 * each. An insert takes its claims when its transaction starts, so the claims made while it waited
 * for the connection go with it rather than into a transaction of their own behind it. Inserts do
 * not wait for each other: two that hold the same id meet at the primary key, and the later one
 * skips it. Each claim is answered only once its insert is committed; if that fails, every claim
 * of the statement fails, and none is accepted.
 */
@Injectable()
export class StoredTokenIds implements TokenIdLedger {
  private nextPruneAt = 0;
  private waiting: Claim[] = [];
  /** An insert is on its way that has not taken the waiting claims yet. */
  private insertComing = false;
  // The inserts run in a context of their own, not in that of whichever call came first.
  private readonly context = new AsyncResource('StoredTokenIds');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  claim(issuer: string, tokenId: string, keepUntil: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ issuer, tokenId, keepUntil, resolve, reject });
      if (!this.insertComing) {
        this.insertComing = true;
        this.context.runInAsyncScope(() => setImmediate(() => void this.insertWaiting()));
      }
    });
  }

  /** The claims waiting when the insert's transaction starts (or fails to), at most one statement's. */
  private takeWaiting(): Claim[] {
    const claims = this.waiting.splice(0, MAX_CLAIMS_PER_INSERT);
    this.insertComing = false;
    if (this.waiting.length > 0) {
      this.insertComing = true;
      this.context.runInAsyncScope(() => setImmediate(() => void this.insertWaiting()));
    }
    return claims;
  }

  private async insertWaiting(): Promise<void> {
    let claims: Claim[] | undefined;
    try {
      await this.prune();
      const inserted = await this.dataSource.transaction((manager) =>
        this.insert(manager, (claims = this.takeWaiting())),
      );
      for (const claim of claims!) {
        // A second claim of the same id in one statement is a replay too: only the first is accepted.
        claim.resolve(inserted.delete(keyOf(claim.issuer, claim.tokenId)));
      }
    } catch (error) {
      for (const claim of claims ?? this.takeWaiting()) {
        claim.reject(error);
      }
    }
  }

  /** Inserts the ids not stored yet, in the transaction given; returns the keys of those it inserted. */
  private async insert(manager: EntityManager, claims: Claim[]): Promise<Set<string>> {
    const rows = new Map(claims.map((claim) => [keyOf(claim.issuer, claim.tokenId), claim]));
    // The same order on every replica, so two PostgreSQL inserts waiting on each other's ids cannot deadlock.
    const ordered = [...rows.keys()].sort().map((key) => rows.get(key)!);
    const parameters: Record<string, string> = {};
    const values = ordered.map(({ issuer, tokenId, keepUntil }, n) => {
      parameters[`issuer${n}`] = issuer;
      parameters[`tokenId${n}`] = tokenId;
      // As the entity's transformer stores it: ISO text, which sorts in time order.
      parameters[`keepUntil${n}`] = keepUntil.toISOString();
      return `(:issuer${n}, :tokenId${n}, :keepUntil${n})`;
    });
    const table = this.dataSource.getMetadata(CdsTokenId).tableName;
    // Written as INSERT … SELECT behind WITH: a statement both databases run with RETURNING, and
    // one TypeORM's SQLite driver reads rows from (it reads none from a statement starting INSERT).
    // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
    const [sql, bound] = this.dataSource.driver.escapeQueryWithParameters(
      `WITH claims (issuer, token_id, keep_until) AS (VALUES ${values.join(', ')})
       INSERT INTO ${table} (issuer, token_id, keep_until)
       SELECT issuer, token_id, keep_until FROM claims WHERE true
       ON CONFLICT (issuer, token_id) DO NOTHING
       RETURNING issuer, token_id`,
      parameters,
      {},
    );
    const inserted: Array<{ issuer: string; token_id: string }> = await manager.query(sql, bound);
    return new Set(inserted.map((row) => keyOf(row.issuer, row.token_id)));
  }

  private async prune(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() < this.nextPruneAt) {
      return;
    }
    this.nextPruneAt = now.getTime() + PRUNE_EVERY_MS;
    // Instants are stored as ISO text, which sorts in time order.
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(CdsTokenId)
      .where('keep_until < :now', { now: now.toISOString() })
      .execute();
  }
}
