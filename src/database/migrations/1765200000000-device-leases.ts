import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which replica holds each cuff, for how long, under which epoch (the fencing token the cuff
 * checks), and the session commands a replica passes to the one that supervises the session.
 * Lease expiries are milliseconds since the epoch on the database's clock (PostgreSQL's; on SQLite,
 * the one process's); a command's creation time is on the clock of the replica that wrote it.
 */
export class DeviceLeases1765200000000 implements MigrationInterface {
  name = 'DeviceLeases1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE device_leases (
        device_id varchar(128) PRIMARY KEY NOT NULL,
        epoch bigint NOT NULL,
        token varchar(36),
        holder varchar(128),
        session_id varchar(36),
        expires_at_ms bigint NOT NULL
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE device_session_commands (
        id varchar(36) PRIMARY KEY NOT NULL,
        session_id varchar(36) NOT NULL,
        command varchar(16) NOT NULL,
        actor varchar(200) NOT NULL,
        reason text,
        state varchar(16) NOT NULL,
        outcome text,
        created_at_ms bigint NOT NULL
      )`,
    );
    await queryRunner.query(
      'CREATE INDEX device_session_commands_pending ON device_session_commands (state, session_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_session_commands');
    await queryRunner.query('DROP TABLE device_leases');
  }
}
