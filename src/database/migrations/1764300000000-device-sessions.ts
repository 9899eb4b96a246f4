import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const session = (name: string) =>
  new TableForeignKey({
    name: `${name}_session`,
    columnNames: ['session_id'],
    referencedTableName: 'device_sessions',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

export class DeviceSessions1764300000000 implements MigrationInterface {
  name = 'DeviceSessions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'device_sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'prescription_id', type: 'varchar', length: '36' },
          { name: 'series_id', type: 'varchar', length: '36' },
          { name: 'patient_ref', type: 'varchar', length: '64' },
          { name: 'device_id', type: 'varchar', length: '100' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'pressure_basis', type: 'varchar', length: '20' },
          { name: 'bindings', type: 'text' },
          { name: 'program', type: 'text' },
          { name: 'program_sha256', type: 'varchar', length: '64' },
          { name: 'device_state', type: 'varchar', length: '40', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '200' },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'started_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'ended_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'end_reason', type: 'text', isNullable: true },
          { name: 'summary', type: 'text' },
          { name: 'trace', type: 'text' },
        ],
        indices: [
          new TableIndex({ name: 'device_sessions_tenant_prescription', columnNames: ['tenant', 'prescription_id'] }),
          new TableIndex({ name: 'device_sessions_series_status', columnNames: ['series_id', 'status'] }),
          new TableIndex({ name: 'device_sessions_device_status', columnNames: ['device_id', 'status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_session_events',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'at', type: 'varchar', length: '30' },
          { name: 'elapsed_ms', type: 'integer' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'actor', type: 'varchar', length: '200' },
          { name: 'summary', type: 'text' },
          { name: 'detail', type: 'text' },
        ],
        foreignKeys: [session('device_session_events')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_session_alarms',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'at', type: 'varchar', length: '30' },
          { name: 'elapsed_ms', type: 'integer' },
          { name: 'code', type: 'varchar', length: '40' },
          { name: 'source', type: 'varchar', length: '10' },
          { name: 'action', type: 'varchar', length: '20' },
          { name: 'channel', type: 'varchar', length: '1', isNullable: true },
          { name: 'message', type: 'text' },
        ],
        foreignKeys: [session('device_session_alarms')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_session_sets',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'block_index', type: 'integer', isPrimary: true },
          { name: 'set_index', type: 'integer', isPrimary: true },
          { name: 'phase', type: 'varchar', length: '10', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '1' },
          { name: 'target_mmhg', type: 'integer' },
          { name: 'window_mmhg', type: 'integer' },
          { name: 'started_ms', type: 'integer' },
          { name: 'ended_ms', type: 'integer' },
          { name: 'samples', type: 'integer' },
          { name: 'observed_ms', type: 'integer' },
          { name: 'in_band_ms', type: 'integer' },
          { name: 'min_mmhg', type: 'double precision' },
          { name: 'mean_mmhg', type: 'double precision' },
          { name: 'max_mmhg', type: 'double precision' },
        ],
        foreignKeys: [session('device_session_sets')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lop_measurements',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '200' },
          { name: 'patient_ref', type: 'varchar', length: '64' },
          { name: 'device_id', type: 'varchar', length: '100' },
          { name: 'channel', type: 'varchar', length: '1' },
          { name: 'limb', type: 'varchar', length: '20' },
          { name: 'side', type: 'varchar', length: '10' },
          { name: 'cuff_width_cm', type: 'double precision' },
          { name: 'posture', type: 'varchar', length: '10' },
          { name: 'mmhg', type: 'integer' },
          { name: 'confidence', type: 'double precision' },
          { name: 'beats_used', type: 'integer' },
          { name: 'measured_at', type: 'varchar', length: '30' },
          { name: 'measured_by', type: 'varchar', length: '200' },
        ],
        indices: [
          new TableIndex({
            name: 'lop_measurements_tenant_patient',
            columnNames: ['tenant', 'patient_ref', 'measured_at'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lop_measurements');
    await queryRunner.dropTable('device_session_sets');
    await queryRunner.dropTable('device_session_alarms');
    await queryRunner.dropTable('device_session_events');
    await queryRunner.dropTable('device_sessions');
  }
}
