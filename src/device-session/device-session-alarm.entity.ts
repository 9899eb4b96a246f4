import { Column, Entity, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';
import type { SessionAlarmCode } from './alarm-codes';

/** An alarm of a session: raised by the supervisor's own checks or reported by the cuff. */
@Entity('device_session_alarms')
export class DeviceSessionAlarmRecord {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 30, transformer: isoTimestamp })
  at: Date;

  @Column({ name: 'elapsed_ms', type: 'integer' })
  elapsedMs: number;

  @Column({ type: 'varchar', length: 40 })
  code: SessionAlarmCode;

  @Column({ type: 'varchar', length: 10 })
  source: 'server' | 'device';

  /** What was done about it: the cuff was told to deflate, or it was only recorded. */
  @Column({ type: 'varchar', length: 20 })
  action: 'deflated' | 'recorded';

  @Column({ type: 'varchar', length: 1, nullable: true })
  channel: string | null;

  @Column({ type: 'text' })
  message: string;
}
