import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { CUFF_TRANSPORT, type CuffTransport } from '../device-adapter/cuff-transport';
import { RuleCatalogue } from '../rules/catalogue';
import type { HealthReport } from './health.schema';

const DATABASE_CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly logger = new Logger('HealthService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalogue: RuleCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CUFF_TRANSPORT) private readonly transport: CuffTransport,
  ) {}

  async check(): Promise<HealthReport> {
    const database = await this.checkDatabase();
    const rules = {
      status: 'up' as const,
      rulesetVersion: this.catalogue.version,
      ruleCount: this.catalogue.allRules().length,
    };
    const cuffs = { transport: this.transport.kind, ...this.transport.health() };
    return {
      status: database.status === 'up' && cuffs.status === 'up' ? 'ok' : 'unavailable',
      checks: { database, rules, cuffs },
    };
  }

  /**
   * SELECT 1. On SQLite it goes to the connection directly, not through the gate that queues
   * units of work: health is answered at once however many writes wait, and a read changes nothing.
   */
  private ping(): Promise<unknown> {
    if (this.config.database.kind !== 'sqlite') {
      return this.dataSource.query('SELECT 1');
    }
    const connection = (
      this.dataSource.driver as unknown as {
        databaseConnection: { get(sql: string, done: (error: Error | null) => void): void };
      }
    ).databaseConnection;
    return new Promise((resolve, reject) =>
      connection.get('SELECT 1', (error) => (error ? reject(error) : resolve(undefined))),
    );
  }

  private async checkDatabase(): Promise<HealthReport['checks']['database']> {
    const kind = this.config.database.kind;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${DATABASE_CHECK_TIMEOUT_MS} ms`)),
            DATABASE_CHECK_TIMEOUT_MS,
          );
        }),
      ]);
      return { status: 'up', kind, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      // The cause can name hosts and ports; it goes to the log, not to an unauthenticated caller.
      this.logger.error({ err: error }, 'database health check failed');
      return {
        status: 'down',
        kind,
        latencyMs: Math.round(performance.now() - started),
        detail: 'the database did not answer',
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
