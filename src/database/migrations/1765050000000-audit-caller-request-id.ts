import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request id a caller sent, kept apart from the service's own. A plain ADD COLUMN on both
 * databases: rebuilding the table (TypeORM's SQLite way) would drop its append-only triggers.
 */
export class AuditCallerRequestId1765050000000 implements MigrationInterface {
  name = 'AuditCallerRequestId1765050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_events ADD COLUMN caller_request_id varchar(128)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_events DROP COLUMN caller_request_id');
  }
}
