import { randomBytes } from 'node:crypto';

import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../../src/database/data-source';
import { CuffLeases } from '../../src/device-session/cuff-leases';
import { ENTITIES } from '../../src/entities';
import { cuffLeasesContract } from '../cuff-leases-contract';

/**
 * Cuff leases on PostgreSQL (127.0.0.1:5432, database `test`), two replicas as two connection
 * pools on a schema of this run's own: expiry is judged on the database's clock, so time passes
 * for real here, with leases of 3 s.
 */
const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bfr_lease_${randomBytes(4).toString('hex')}`;
const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const LEASE_MS = 3_000;
const HOUR_MS = 3_600_000;

async function admin<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource({ type: 'postgres', url: SERVER }).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

describe('Cuff leases (PostgreSQL)', () => {
  // Leases run out on the database's clock, so the cases wait for real.
  jest.setTimeout(30_000);
  const replicas: DataSource[] = [];

  beforeAll(async () => {
    await admin((db) => db.query(`CREATE SCHEMA ${schema}`));
    // One after the other: the first runs the migrations, the second finds them done.
    replicas.push(await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize());
    replicas.push(await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize());
  });

  afterAll(async () => {
    await Promise.all(replicas.map((db) => db.destroy()));
    await admin((db) => db.query(`DROP SCHEMA ${schema} CASCADE`));
  });

  cuffLeasesContract(() => ({
    databases: () => [replicas[0], replicas[1]],
    now: Date.now,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    leaseMs: LEASE_MS,
  }));

  it('judges expiry on the database’s clock: replicas an hour ahead or behind neither steal nor keep a cuff', async () => {
    const ahead = new CuffLeases(replicas[0], 'replica-ahead', () => Date.now() + HOUR_MS, LEASE_MS);
    const behind = new CuffLeases(replicas[1], 'replica-behind', () => Date.now() - HOUR_MS, LEASE_MS);
    const device = `cuff-skew-${randomBytes(3).toString('hex')}`;

    expect(await behind.claim(device, 'session-skew')).toMatchObject({ epoch: 1 });
    expect(await ahead.claim(device, null)).toBeNull();
    expect(await ahead.expired()).not.toContainEqual(expect.objectContaining({ deviceId: device }));
    expect(await ahead.ofSession('session-skew')).toMatchObject({ holder: 'replica-behind', epoch: 1 });

    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 500));
    expect(await ahead.expired()).toContainEqual(expect.objectContaining({ deviceId: device, epoch: 1 }));
    expect(await ahead.claim(device, 'session-skew', { sessionId: 'session-skew', epoch: 1 })).toMatchObject({
      epoch: 2,
    });
    expect(await behind.claim(device, null)).toBeNull();
  }, 30_000);
});
