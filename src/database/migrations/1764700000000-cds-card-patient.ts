import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

export class CdsCardPatient1764700000000 implements MigrationInterface {
  name = 'CdsCardPatient1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'cds_cards',
      new TableColumn({ name: 'patient', type: 'varchar', length: '200', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('cds_cards', 'patient');
  }
}
