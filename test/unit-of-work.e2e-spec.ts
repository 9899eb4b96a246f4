import { Body, Controller, Module, Post } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { z } from 'zod';

import { AuditEvent } from '../src/audit/audit-event.entity';
import { Roles } from '../src/auth/auth.decorators';
import { UnitOfWork } from '../src/database/unit-of-work';
import { ScreeningRecord } from '../src/screening/screening-record.entity';
import { CLINIC, startTestApp, type TestApp } from './test-app';

const RowRequest = z.strictObject({ id: z.string().min(1) });

/** Stores a screening row with the id asked for, as the services store theirs: one insert as a unit of work. */
@Roles('clinician')
@Controller('v1/test-rows')
class RowsController {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  @Post()
  async create(@Body({ schema: RowRequest }) body: z.infer<typeof RowRequest>): Promise<{ id: string }> {
    await this.unitOfWork.insert(
      ScreeningRecord,
      [
        {
          id: body.id,
          tenant: CLINIC,
          patientRef: 'mrn-1001',
          screenedBy: 'dr-test',
          screenedAt: new Date('2026-11-20T09:30:00.000Z'),
          rulesetVersion: 'test',
          verdict: 'clear',
          request: '{}',
          outcome: '{}',
        },
      ],
      { resourceId: body.id },
    );
    return { id: body.id };
  }
}

@Module({ controllers: [RowsController] })
class RowsModule {}

describe('an insert as a unit of work on SQLite', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', SHED_DATABASE_QUEUE: '0' }, { features: [RowsModule] });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('stores each acknowledged row with its audit record, and nothing of a refused one but the record of its refusal', async () => {
    const token = await sut.tokenFor('clinician');
    const ids = ['row-a', 'row-b', 'row-a', 'row-c', 'row-b', 'row-d'];
    // Sent at once, so that they wait for the connection together and share commits.
    const answers = await Promise.all(
      ids.map((id) => request(sut.http).post('/v1/test-rows').auth(token, { type: 'bearer' }).send({ id })),
    );
    const dataSource = sut.app.get(DataSource);
    const rows = (await dataSource.query('SELECT id FROM screenings ORDER BY id')) as Array<{ id: string }>;
    const events = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' } });
    const recordOf = (requestId: string) => events.filter((e) => e.requestId === requestId);

    expect(rows.map((r) => r.id)).toEqual(['row-a', 'row-b', 'row-c', 'row-d']);
    expect(answers.filter((a) => a.status === 201).map((a) => a.body.id as string)).toEqual(
      expect.arrayContaining(['row-a', 'row-b', 'row-c', 'row-d']),
    );
    for (const answer of answers) {
      const [record, ...more] = recordOf(answer.headers['x-request-id']);
      expect(more).toEqual([]);
      expect({ status: record.status, resourceId: record.resourceId }).toEqual(
        answer.status === 201
          ? { status: 201, resourceId: answer.body.id }
          : { status: answer.status, resourceId: null },
      );
    }
    expect(answers.filter((a) => a.status !== 201)).toHaveLength(2);
    const admin = await sut.as('admin', { subject: 'auditor' });
    expect((await admin.get('/v1/audit/verification').expect(200)).body).toMatchObject({ intact: true });
  });
});
