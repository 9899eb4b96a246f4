import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DataSource } from 'typeorm';

import { dataSourceOptions, openDataSource } from '../src/database/data-source';
import { insertRows } from '../src/database/insert-rows';
import { ENTITIES } from '../src/entities';
import { PrescriptionRecord } from '../src/prescription/prescription-record.entity';

/** A draft as the service stores one, with a timestamp (a transformed column) and nulls. */
const draft = (id: string): PrescriptionRecord => ({
  id,
  seriesId: id,
  version: 1,
  previousId: null,
  tenant: 'clinic-a',
  patientRef: 'mrn-1001',
  status: 'draft',
  createdBy: 'dr-who',
  createdAt: new Date('2026-11-20T09:30:00.000Z'),
  generatedOn: '2026-11-20',
  rulesetVersion: 'a'.repeat(64),
  condition: 'acl-reconstruction',
  phase: 'acl-reconstruction.strengthening',
  request: '{"patient":{"ref":"mrn-1001"}}',
  plan: '{"exercises":[]}',
  trace: '',
  traceSha256: 'b'.repeat(64),
  approvedBy: null,
  approvedAt: null,
  acknowledgements: null,
  contact: null,
  cancelledBy: null,
  cancelledAt: null,
  cancelReason: null,
  supersededBy: null,
});

describe('insertRows on SQLite', () => {
  let dir: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-insert-row-'));
    dataSource = await openDataSource(
      dataSourceOptions({ kind: 'sqlite', file: join(dir, 'bfr-rx.sqlite') }, ENTITIES),
    );
  });

  afterEach(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = async (id: string) =>
    ((await dataSource.query('SELECT * FROM prescriptions WHERE id = ?', [id])) as Array<Record<string, unknown>>)[0];

  it("stores the row exactly as TypeORM's insert stores it", async () => {
    await dataSource.manager.insert(PrescriptionRecord, draft('by-typeorm'));
    await insertRows(dataSource.manager, PrescriptionRecord, [draft('by-insert-row')]);

    expect({ ...(await row('by-insert-row')), id: null, series_id: null }).toEqual({
      ...(await row('by-typeorm')),
      id: null,
      series_id: null,
    });
    expect(await dataSource.manager.findOneBy(PrescriptionRecord, { id: 'by-insert-row' })).toEqual(
      draft('by-insert-row'),
    );
  });

  it('refuses a row that leaves a column without a value, and stores nothing', async () => {
    const { phase: _left, ...withoutPhase } = draft('no-phase');

    await expect(
      insertRows(dataSource.manager, PrescriptionRecord, [withoutPhase as PrescriptionRecord]),
    ).rejects.toThrow(/prescriptions\.phase/);
    expect(await row('no-phase')).toBeUndefined();
  });

  it('stores several rows in one statement, or none of them', async () => {
    await insertRows(dataSource.manager, PrescriptionRecord, [draft('first'), draft('second')]);
    expect(await dataSource.manager.findOneBy(PrescriptionRecord, { id: 'second' })).toEqual(draft('second'));

    await expect(insertRows(dataSource.manager, PrescriptionRecord, [draft('third'), draft('first')])).rejects.toThrow(
      /UNIQUE/,
    );
    expect(await row('third')).toBeUndefined();
  });

  it('fails on a duplicate key as the database refuses it', async () => {
    await insertRows(dataSource.manager, PrescriptionRecord, [draft('twice')]);

    await expect(insertRows(dataSource.manager, PrescriptionRecord, [draft('twice')])).rejects.toThrow(/UNIQUE/);
  });
});
