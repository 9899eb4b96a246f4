import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';

import { Clock } from '../../common/clock';
import { CdsTokenId } from './cds-token-id.entity';
import type { TokenIdLedger } from './cds-jwt';

const PRUNE_EVERY_MS = 60_000;

/**
 * The token ids in the database: the primary key (issuer, jti) makes the first insert win, across
 * replicas and restarts. Ids past their keep-until are deleted at most once a minute per replica.
 */
@Injectable()
export class StoredTokenIds implements TokenIdLedger {
  private nextPruneAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async claim(issuer: string, tokenId: string, keepUntil: Date): Promise<boolean> {
    const ids = this.dataSource.getRepository(CdsTokenId);
    await this.prune();
    try {
      await ids.insert({ issuer, tokenId, keepUntil });
      return true;
    } catch (error) {
      if (error instanceof QueryFailedError && (await ids.existsBy({ issuer, tokenId }))) {
        return false;
      }
      throw error;
    }
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
