import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DataSource } from 'typeorm';

import { dataSourceOptions, openDataSource } from '../src/database/data-source';
import { LEASE_MS } from '../src/device-session/cuff-leases';
import { ENTITIES } from '../src/entities';
import { cuffLeasesContract } from './cuff-leases-contract';

/**
 * Cuff leases on SQLite, the one-process case: the leases read the process's clock, here a fake
 * one moved on by the test, so expiry needs no waiting.
 */
describe('Cuff leases (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-leases-'));
  let db: DataSource;
  let clock = Date.parse('2026-01-05T12:00:00.000Z');

  beforeAll(async () => {
    db = await openDataSource(dataSourceOptions({ kind: 'sqlite', file: join(dir, 'leases.sqlite') }, ENTITIES));
  });

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  cuffLeasesContract(() => ({
    databases: () => [db, db],
    now: () => clock,
    advance: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    leaseMs: LEASE_MS,
  }));
});
