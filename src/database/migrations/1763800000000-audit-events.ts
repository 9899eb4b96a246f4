import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The audit trail, append-only in the database itself: updates and deletes are refused by triggers. */
export class AuditEvents1763800000000 implements MigrationInterface {
  name = 'AuditEvents1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'at', type: 'varchar', length: '30' },
          { name: 'actor', type: 'varchar', length: '200', isNullable: true },
          { name: 'tenant', type: 'varchar', length: '200', isNullable: true },
          { name: 'roles', type: 'varchar', length: '200' },
          { name: 'action', type: 'varchar', length: '200' },
          { name: 'resource_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '10' },
          { name: 'status', type: 'integer' },
          { name: 'request_id', type: 'varchar', length: '128' },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'audit_events_tenant_seq', columnNames: ['tenant', 'seq'] }),
    );
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    } else {
      for (const operation of ['UPDATE', 'DELETE']) {
        await queryRunner.query(`CREATE TRIGGER audit_events_no_${operation.toLowerCase()} BEFORE ${operation} ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query('DROP FUNCTION audit_events_append_only()');
    }
  }
}
