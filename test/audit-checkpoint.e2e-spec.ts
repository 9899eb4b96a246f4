import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { AuditCheckpoint, CHECKPOINT_EVERY } from '../src/audit/audit-checkpoint';
import { AuditTrail } from '../src/audit/audit-trail.service';
import { SystemClock } from '../src/common/clock';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { startTestApp, type TestApp } from './test-app';

describe('the audit chain head anchored outside the database', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('writes the head every so many records and at shutdown, and audit:verify fails once the last records are removed', async () => {
    const file = sut.config.auditCheckpointFile!;
    const token = await sut.tokenFor('viewer');
    for (let i = 0; i < CHECKPOINT_EVERY + 5; i++) {
      await request(sut.http).get('/v1/rules').auth(token, { type: 'bearer' }).expect(200);
    }
    const anchored = JSON.parse(readFileSync(file, 'utf8'));
    expect(anchored.seq).toBeGreaterThanOrEqual(CHECKPOINT_EVERY);
    await sut.app.close();
    const atShutdown = JSON.parse(readFileSync(file, 'utf8'));
    expect(atShutdown.seq).toBe(CHECKPOINT_EVERY + 5);

    const db = await new DataSource({
      ...dataSourceOptions(sut.config.database, ENTITIES),
      migrationsRun: false,
    }).initialize();
    try {
      const trail = new AuditTrail(db, new SystemClock(), new AuditCheckpoint(file));
      expect(await trail.verify()).toMatchObject({
        intact: true,
        checked: CHECKPOINT_EVERY + 5,
        anchoredAt: CHECKPOINT_EVERY + 5,
      });

      // Whoever can write the database can drop the append-only triggers and cut the tail.
      await db.query('DROP TRIGGER audit_events_no_delete');
      await db.query('DELETE FROM audit_events WHERE seq > ?', [CHECKPOINT_EVERY + 2]);
      expect(await trail.verify()).toMatchObject({ intact: false, firstBroken: { seq: CHECKPOINT_EVERY + 3 } });
    } finally {
      await db.destroy();
    }

    const verify = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/audit-verify.ts'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${(sut.config.database as { file: string }).file}` },
      encoding: 'utf8',
    });
    expect(verify.status).toBe(1);
    expect(verify.stderr).toMatch(/last records were removed/);
    expect(existsSync(file)).toBe(true);
  }, 60_000);
});
