import { DataSource } from 'typeorm';

import { SystemClock } from '../common/clock';
import { dataSourceOptions, openDataSource } from '../database/data-source';
import { ENTITIES } from '../entities';
import { type AuditEntry, AuditTrail } from './audit-trail.service';

const entry = (requestId: string): AuditEntry => ({
  actor: 'dr-lee',
  tenant: 'clinic-north',
  roles: ['clinician'],
  action: 'GET /v1/rules/:id',
  resourceId: null,
  outcome: 'success',
  status: 200,
  requestId,
});

describe('AuditTrail', () => {
  let db: DataSource;
  let trail: AuditTrail;

  beforeEach(async () => {
    db = await openDataSource(dataSourceOptions({ kind: 'sqlite', file: ':memory:' }, ENTITIES));
    trail = new AuditTrail(db, new SystemClock());
  });

  afterEach(async () => {
    await db.destroy();
  });

  it('fails only the record that cannot be written when it arrives in a group with others', async () => {
    const first = trail.record(entry('req-0'));
    // These arrive while the first is being written, so they are written as one group.
    const group = ['req-1', 'req-2', 'bad', 'req-3'].map((id) =>
      trail.record(id === 'bad' ? { ...entry(id), action: null as unknown as string } : entry(id)),
    );
    const results = await Promise.allSettled([first, ...group]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const stored = await db.query('SELECT request_id AS id FROM audit_events ORDER BY seq');
    expect(stored.map((r: { id: string }) => r.id)).toEqual(['req-0', 'req-1', 'req-2', 'req-3']);
    expect(await trail.verify()).toMatchObject({ intact: true, checked: 4 });
  });
});
