import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

export type DeviceSessionStatus = 'loaded' | 'running' | 'paused' | 'completed' | 'aborted';

/** Which pressure of the plan the program uses: the first session's, or the working one. */
export type PressureBasis = 'first-session' | 'ramp' | 'working';

/**
 * One run of an approved plan on one cuff: the program as pushed (and its hash, which the cuff
 * echoed), how it ended, the adherence summary and a downsampled pressure trace. Events, alarms and
 * per-set statistics are rows of their own.
 */
@Entity('device_sessions')
@Index('device_sessions_tenant_prescription', ['tenant', 'prescriptionId'])
@Index('device_sessions_series_status', ['seriesId', 'status'])
@Index('device_sessions_device_status', ['deviceId', 'status'])
export class DeviceSessionRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  tenant: string;

  @Column({ name: 'prescription_id', type: 'varchar', length: 36 })
  prescriptionId: string;

  /** The plan's series: whether a session is the patient's first is counted over every version. */
  @Column({ name: 'series_id', type: 'varchar', length: 36 })
  seriesId: string;

  @Column({ name: 'patient_ref', type: 'varchar', length: 64 })
  patientRef: string;

  @Column({ name: 'device_id', type: 'varchar', length: 100 })
  deviceId: string;

  @Column({ type: 'varchar', length: 20 })
  status: DeviceSessionStatus;

  @Column({ name: 'pressure_basis', type: 'varchar', length: 20 })
  pressureBasis: PressureBasis;

  /** Which channel goes on which cuff site, as JSON. */
  @Column({ type: 'text' })
  bindings: string;

  /** The program pushed to the cuff, as JSON. */
  @Column({ type: 'text' })
  program: string;

  @Column({ name: 'program_sha256', type: 'varchar', length: 64 })
  programSha256: string;

  /** The cuff's last reported state. */
  @Column({ name: 'device_state', type: 'varchar', length: 40, nullable: true })
  deviceState: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'varchar', length: 30, nullable: true, transformer: isoTimestamp })
  startedAt: Date | null;

  @Column({ name: 'ended_at', type: 'varchar', length: 30, nullable: true, transformer: isoTimestamp })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason: string | null;

  /** Time in band, inflated time per channel and the other totals, as JSON; kept current while the session runs. */
  @Column({ type: 'text' })
  summary: string;

  /** Pressure per channel in one-second buckets (min, mean, max), as JSON: bounded by the session caps. */
  @Column({ type: 'text' })
  trace: string;
}
