import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last command sequence number handed out per cuff, shared by every replica (PostgreSQL). On
 * SQLite, where one process serves, the table stays empty: that process counts on its own.
 */
export class DeviceCommandSequences1765100000000 implements MigrationInterface {
  name = 'DeviceCommandSequences1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE device_command_sequences (device_id varchar(128) PRIMARY KEY NOT NULL, last_seq bigint NOT NULL)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_command_sequences');
  }
}
