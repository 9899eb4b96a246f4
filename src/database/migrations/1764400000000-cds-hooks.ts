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
    await queryRunner.createIndex(
      'cds_token_ids',
      new TableIndex({ name: 'cds_token_ids_keep_until', columnNames: ['keep_until'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cds_cards',
        columns: [
          { name: 'uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'issuer', type: 'varchar', length: '500' },
          { name: 'service_id', type: 'varchar', length: '100' },
          { name: 'hook_instance', type: 'varchar', length: '100' },
          { name: 'indicator', type: 'varchar', length: '10' },
          { name: 'ruleset_version', type: 'varchar', length: '64' },
          { name: 'rules', type: 'text' },
          { name: 'suggestions', type: 'text' },
          { name: 'override_reasons', type: 'text' },
          { name: 'issued_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cds_feedback',
        columns: [
          { name: 'issuer', type: 'varchar', length: '500', isPrimary: true },
          { name: 'card_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'outcome', type: 'varchar', length: '20', isPrimary: true },
          { name: 'outcome_at', type: 'varchar', length: '30', isPrimary: true },
          { name: 'rule_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'rule_version', type: 'integer' },
          { name: 'ruleset_version', type: 'varchar', length: '64' },
          { name: 'service_id', type: 'varchar', length: '100' },
          { name: 'accepted_suggestions', type: 'text', isNullable: true },
          { name: 'override_system', type: 'varchar', length: '500', isNullable: true },
          { name: 'override_code', type: 'varchar', length: '200', isNullable: true },
          { name: 'override_comment', type: 'text', isNullable: true },
          { name: 'received_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'cds_feedback',
      new TableIndex({ name: 'cds_feedback_rule', columnNames: ['rule_id', 'outcome'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cds_feedback');
    await queryRunner.dropTable('cds_cards');
    await queryRunner.dropTable('cds_token_ids');
  }
}
