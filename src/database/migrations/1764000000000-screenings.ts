import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class Screenings1764000000000 implements MigrationInterface {
  name = 'Screenings1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'screenings',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'patient_ref', type: 'varchar', length: '64' },
          { name: 'screened_by', type: 'varchar', length: '200' },
          { name: 'screened_at', type: 'varchar', length: '30' },
          { name: 'ruleset_version', type: 'varchar', length: '64' },
          { name: 'verdict', type: 'varchar', length: '20' },
          { name: 'request', type: 'text' },
          { name: 'outcome', type: 'text' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'screenings',
      new TableIndex({ name: 'screenings_tenant_patient', columnNames: ['tenant', 'patient_ref'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('screenings');
  }
}
