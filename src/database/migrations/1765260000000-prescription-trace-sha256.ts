import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sha256 of a plan's rule trace, stored instead of the trace itself (some 110 kB a plan): the
 * trace is rebuilt from the stored request, day and ruleset version when it is read, and answered
 * only when it hashes the same. Plans stored before keep their trace and have no hash. A plain ADD
 * COLUMN on both databases: rebuilding the table (TypeORM's SQLite way) would drop its triggers.
 */
export class PrescriptionTraceSha2561765260000000 implements MigrationInterface {
  name = 'PrescriptionTraceSha2561765260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE prescriptions ADD COLUMN trace_sha256 varchar(64)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE prescriptions DROP COLUMN trace_sha256');
  }
}
