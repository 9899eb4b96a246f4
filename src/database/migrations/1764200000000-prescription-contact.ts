import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

export class PrescriptionContact1764200000000 implements MigrationInterface {
  name = 'PrescriptionContact1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('prescriptions', new TableColumn({ name: 'contact', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('prescriptions', 'contact');
  }
}
