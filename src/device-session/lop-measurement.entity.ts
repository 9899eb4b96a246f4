import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

/** An LOP the cuff measured, with everything it is only valid for: patient, site, cuff width, posture. */
@Entity('lop_measurements')
@Index('lop_measurements_tenant_patient', ['tenant', 'patientRef', 'measuredAt'])
export class LopMeasurementRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  tenant: string;

  @Column({ name: 'patient_ref', type: 'varchar', length: 64 })
  patientRef: string;

  @Column({ name: 'device_id', type: 'varchar', length: 100 })
  deviceId: string;

  @Column({ type: 'varchar', length: 1 })
  channel: string;

  @Column({ type: 'varchar', length: 20 })
  limb: string;

  @Column({ type: 'varchar', length: 10 })
  side: string;

  @Column({ name: 'cuff_width_cm', type: 'double precision' })
  cuffWidthCm: number;

  @Column({ type: 'varchar', length: 10 })
  posture: string;

  @Column({ type: 'integer' })
  mmhg: number;

  /** The cuff's own confidence in the value, 0 to 1. */
  @Column({ type: 'double precision' })
  confidence: number;

  @Column({ name: 'beats_used', type: 'integer' })
  beatsUsed: number;

  @Column({ name: 'measured_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  measuredAt: Date;

  @Column({ name: 'measured_by', type: 'varchar', length: 200 })
  measuredBy: string;
}
