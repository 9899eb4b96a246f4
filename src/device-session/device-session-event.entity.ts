import { Column, Entity, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

/** What a session event records: a command and its acknowledgement, or something the cuff reported. */
export type SessionEventKind = 'command' | 'device-event' | 'state' | 'note';

/** One entry of a session's log, in order. */
@Entity('device_session_events')
export class DeviceSessionEventRecord {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 30, transformer: isoTimestamp })
  at: Date;

  /** Milliseconds since the session was created, on the supervisor's clock. */
  @Column({ name: 'elapsed_ms', type: 'integer' })
  elapsedMs: number;

  @Column({ type: 'varchar', length: 20 })
  kind: SessionEventKind;

  /** Who caused it: the clinician's token subject, `supervisor` or `device`. */
  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'text' })
  summary: string;

  /** The command, acknowledgement or device event, as JSON. */
  @Column({ type: 'text' })
  detail: string;
}
