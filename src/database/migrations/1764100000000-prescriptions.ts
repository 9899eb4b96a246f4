import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class Prescriptions1764100000000 implements MigrationInterface {
  name = 'Prescriptions1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'prescriptions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'patient_ref', type: 'varchar', length: '64' },
          { name: 'series_id', type: 'varchar', length: '36' },
          { name: 'version', type: 'integer' },
          { name: 'previous_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'created_by', type: 'varchar', length: '200' },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'generated_on', type: 'varchar', length: '10' },
          { name: 'ruleset_version', type: 'varchar', length: '64' },
          { name: 'condition', type: 'varchar', length: '64' },
          { name: 'phase', type: 'varchar', length: '100' },
          { name: 'request', type: 'text' },
          { name: 'plan', type: 'text' },
          { name: 'trace', type: 'text' },
          { name: 'approved_by', type: 'varchar', length: '200', isNullable: true },
          { name: 'approved_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'acknowledgements', type: 'text', isNullable: true },
          { name: 'cancelled_by', type: 'varchar', length: '200', isNullable: true },
          { name: 'cancelled_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'cancel_reason', type: 'text', isNullable: true },
          { name: 'superseded_by', type: 'varchar', length: '36', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'prescriptions',
      new TableIndex({ name: 'prescriptions_series_version', columnNames: ['series_id', 'version'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'prescriptions',
      new TableIndex({
        name: 'prescriptions_tenant_patient_created',
        columnNames: ['tenant', 'patient_ref', 'created_at', 'id'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('prescriptions');
  }
}
