import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class CdsHooks1764400000000 implements MigrationInterface {
  name = 'CdsHooks1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'cds_token_ids',
        columns: [
          { name: 'issuer', type: 'varchar', length: '500', isPrimary: true },
          { name: 'token_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'keep_until', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createIndex('cds_token_ids', new TableIndex({ name: 'cds_token_ids_keep_until', columnNames: ['keep_until'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cds_token_ids');
  }
}
