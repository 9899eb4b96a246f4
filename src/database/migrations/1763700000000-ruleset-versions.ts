import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class RulesetVersions1763700000000 implements MigrationInterface {
  name = 'RulesetVersions1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ruleset_versions',
        columns: [
          { name: 'version', type: 'varchar', length: '64', isPrimary: true },
          { name: 'rule_count', type: 'integer' },
          { name: 'content', type: 'text' },
          { name: 'first_loaded_at', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ruleset_versions');
  }
}
