import sqlite3 from 'sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';

import type { DatabaseTarget } from '../config/config';
import { type ConnectionGate, gateSqliteConnection } from './connection-gate';
import { MIGRATIONS } from './migrations';

/**
 * sqlite3 as TypeORM's SQLite driver, with `verbose()` (which TypeORM always calls) returning the
 * plain module: verbose mode captures a stack trace at every call and util.inspects every bound
 * value, some 150 kB of plan JSON per stored plan, which slowed the write path for a debugging aid.
 */
const PLAIN_SQLITE3 = Object.create(sqlite3, { verbose: { value: () => sqlite3 } }) as typeof sqlite3;

/**
 * Schema changes come only from migrations, run at start; the schema is never synchronised. The
 * application passes no entities (its modules register theirs); scripts and tests pass ENTITIES.
 */
export function dataSourceOptions(
  target: DatabaseTarget,
  entities: NonNullable<DataSourceOptions['entities']>,
): DataSourceOptions {
  const common = { entities, migrations: MIGRATIONS, migrationsRun: true, synchronize: false, logging: false } as const;
  if (target.kind === 'postgres') {
    return { ...common, type: 'postgres', url: target.url, extra: { connectionTimeoutMillis: 5000 } };
  }
  return {
    ...common,
    type: 'sqlite',
    database: target.file,
    driver: PLAIN_SQLITE3,
    // WAL lets health checks and reads proceed while a write is in progress.
    enableWAL: target.file !== ':memory:',
    busyTimeout: 5000,
  };
}

const gates = new WeakMap<DataSource, ConnectionGate>();

/**
 * Opens the service's data source. On SQLite every commit is synced to disk before it is
 * acknowledged (WAL with synchronous=FULL: a kill -9 or power loss keeps every committed
 * transaction), and the single connection is put behind a gate so that concurrent units of work
 * never share a transaction.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  if (options.type === 'sqlite') {
    await dataSource.query('PRAGMA synchronous = FULL');
    gates.set(dataSource, gateSqliteConnection(dataSource));
  }
  return dataSource;
}

/** The gate of a SQLite data source; PostgreSQL has none. */
export function connectionGateOf(dataSource: DataSource): ConnectionGate | undefined {
  return gates.get(dataSource);
}

/**
 * Units of work waiting for the database: at the SQLite gate, or for a connection of the
 * PostgreSQL pool. Load shedding refuses new requests while it is long.
 */
export function databaseQueueOf(dataSource: DataSource): () => number {
  const gate = gates.get(dataSource);
  if (gate) {
    return () => gate.queued;
  }
  const pool = (dataSource.driver as unknown as { master?: { waitingCount?: number } }).master;
  return () => pool?.waitingCount ?? 0;
}
