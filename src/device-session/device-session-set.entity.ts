import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Pressure actually held during one set (`work`) or the inflated rest after it (`rest`), reduced
 * from every telemetry sample of that phase: the raw 10 Hz stream is not kept.
 */
@Entity('device_session_sets')
export class DeviceSessionSetRecord {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @PrimaryColumn({ name: 'block_index', type: 'integer' })
  blockIndex: number;

  @PrimaryColumn({ name: 'set_index', type: 'integer' })
  setIndex: number;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  phase: 'work' | 'rest';

  @Column({ type: 'varchar', length: 1 })
  channel: string;

  @Column({ name: 'target_mmhg', type: 'integer' })
  targetMmHg: number;

  @Column({ name: 'window_mmhg', type: 'integer' })
  windowMmHg: number;

  @Column({ name: 'started_ms', type: 'integer' })
  startedMs: number;

  @Column({ name: 'ended_ms', type: 'integer' })
  endedMs: number;

  @Column({ type: 'integer' })
  samples: number;

  @Column({ name: 'observed_ms', type: 'integer' })
  observedMs: number;

  @Column({ name: 'in_band_ms', type: 'integer' })
  inBandMs: number;

  @Column({ name: 'min_mmhg', type: 'double precision' })
  minMmHg: number;

  @Column({ name: 'mean_mmhg', type: 'double precision' })
  meanMmHg: number;

  @Column({ name: 'max_mmhg', type: 'double precision' })
  maxMmHg: number;
}
