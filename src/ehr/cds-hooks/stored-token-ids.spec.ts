import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DataSource } from 'typeorm';

import { SystemClock } from '../../common/clock';
import { dataSourceOptions, openDataSource } from '../../database/data-source';
import { ENTITIES } from '../../entities';
import { CdsTokenId } from './cds-token-id.entity';
import { MAX_CLAIMS_PER_INSERT, StoredTokenIds } from './stored-token-ids';

const EHR = 'https://ehr.clinic.example';
const OTHER_EHR = 'https://other-ehr.clinic.example';

describe('StoredTokenIds', () => {
  let dir: string;
  let db: DataSource;
  let sut: StoredTokenIds;
  const keepUntil = () => new Date(Date.now() + 600_000);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-token-ids-'));
    db = await openDataSource(dataSourceOptions({ kind: 'sqlite', file: join(dir, 'db.sqlite') }, ENTITIES));
    sut = new StoredTokenIds(db, new SystemClock());
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts each id once when many calls claim at the same time, the same id too, in several inserts', async () => {
    expect(await sut.claim(EHR, 'used-before', keepUntil())).toBe(true);
    const ids = Array.from({ length: 2 * MAX_CLAIMS_PER_INSERT }, (_, n) => `jti-${n}`);
    // Each id three times, side by side, so that the same claims meet in one insert: once from
    // another EHR (its own token) and twice from this one (a replay).
    const calls = [
      ...ids.flatMap((id) => [OTHER_EHR, EHR, EHR].map((issuer) => ({ issuer, id }))),
      { issuer: EHR, id: 'used-before' },
    ];
    const accepted = await Promise.all(calls.map(({ issuer, id }) => sut.claim(issuer, id, keepUntil())));
    const tokens = (list: typeof calls) => list.map(({ issuer, id }) => `${issuer} ${id}`);
    const acceptedTokens = tokens(calls.filter((_, n) => accepted[n]));
    const expected = new Set(tokens(calls).filter((token) => token !== `${EHR} used-before`));
    expect(acceptedTokens).toHaveLength(expected.size);
    expect(new Set(acceptedTokens)).toEqual(expected);
    expect(await db.getRepository(CdsTokenId).count()).toBe(expected.size + 1);
  });

  it('lets the claims made while an insert waits for the connection go with it, in one statement', async () => {
    let release!: () => void;
    // Another unit of work holds the connection until released.
    await new Promise<void>((started) => {
      void db.transaction(
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
            started();
          }),
      );
    });
    const inserts = jest.spyOn(sut as unknown as { insert: () => Promise<Set<string>> }, 'insert');
    const first = sut.claim(EHR, 'jti-first', keepUntil());
    await new Promise(setImmediate);
    const second = sut.claim(EHR, 'jti-second', keepUntil());
    await new Promise(setImmediate);
    release();
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(inserts).toHaveBeenCalledTimes(1);
  });

  it('answers a claim only once it is committed: another connection to the database sees the id', async () => {
    expect(await sut.claim(EHR, 'jti-committed', keepUntil())).toBe(true);
    const replica = await new DataSource(
      dataSourceOptions({ kind: 'sqlite', file: join(dir, 'db.sqlite') }, ENTITIES),
    ).initialize();
    try {
      expect(await replica.getRepository(CdsTokenId).existsBy({ issuer: EHR, tokenId: 'jti-committed' })).toBe(true);
      expect(await new StoredTokenIds(replica, new SystemClock()).claim(EHR, 'jti-committed', keepUntil())).toBe(false);
    } finally {
      await replica.destroy();
    }
  });

  it('accepts none of the claims of an insert that fails, and claims again afterwards', async () => {
    await db.query('ALTER TABLE cds_token_ids RENAME TO cds_token_ids_away');
    const failed = await Promise.allSettled(['a', 'b', 'c'].map((id) => sut.claim(EHR, id, keepUntil())));
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await db.query('ALTER TABLE cds_token_ids_away RENAME TO cds_token_ids');
    expect(await sut.claim(EHR, 'a', keepUntil())).toBe(true);
  });
});
