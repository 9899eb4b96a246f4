import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { CUFF_TRANSPORT, type CuffTransport } from '../device-adapter/cuff-transport';
import { RuleCatalogue } from '../rules/catalogue';
import type { HealthReport } from './health.schema';

const DATABASE_CHECK_TIMEOUT_MS = 2000;

/** What the health check uses of a node-postgres client. */
interface ProbeConnection {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
type ProbeClient = new (options: { connectionString: string; connectionTimeoutMillis: number }) => ProbeConnection;

@Injectable()
export class HealthService implements OnApplicationShutdown {
  private readonly logger = new Logger('HealthService');
  /** On PostgreSQL, the health check's own connection (see ping). */
  private probe: ProbeConnection | null = null;

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

  async onApplicationShutdown(): Promise<void> {
    await this.dropProbe();
  }

  /**
   * SELECT 1, never queued behind the writes: health is answered at once however many units of
   * work wait, and a read changes nothing. On SQLite it goes to the connection directly, not through
   * the gate; on PostgreSQL through a connection of its own, not the pool the requests share.
   */
  private ping(): Promise<unknown> {
    if (this.config.database.kind === 'postgres') {
      return this.pingPostgres(this.config.database.url);
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

  private async pingPostgres(url: string): Promise<unknown> {
    if (!this.probe) {
      // node-postgres as TypeORM loaded it: the same library and version as the pool's.
      const { Client } = (this.dataSource.driver as unknown as { postgres: { Client: ProbeClient } }).postgres;
      const probe = new Client({ connectionString: url, connectionTimeoutMillis: DATABASE_CHECK_TIMEOUT_MS });
      // A broken connection is replaced at the next check; its error is the check's, not the process's.
      probe.on('error', () => void (this.probe === probe && this.dropProbe()));
      this.probe = probe;
      await probe.connect();
    }
    return this.probe.query('SELECT 1');
  }

  private async dropProbe(): Promise<void> {
    const probe = this.probe;
    this.probe = null;
    await probe?.end().catch(() => undefined);
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
      // A connection that failed or hung is not asked again: the next check opens a new one.
      void this.dropProbe();
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
