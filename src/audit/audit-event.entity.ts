import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';
import type { AuditOutcome } from './audit-chain';

/** One link of the append-only, hash-chained audit trail. */
@Entity('audit_events')
@Index('audit_events_tenant_seq', ['tenant', 'seq'])
export class AuditEvent {
  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 30, transformer: isoTimestamp })
  at: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  actor: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  tenant: string | null;

  /** Comma-separated roles of the caller. */
  @Column({ type: 'varchar', length: 200 })
  roles: string;

  @Column({ type: 'varchar', length: 200 })
  action: string;

  @Column({ name: 'resource_id', type: 'varchar', length: 200, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 10 })
  outcome: AuditOutcome;

  @Column({ type: 'integer' })
  status: number;

  @Column({ name: 'request_id', type: 'varchar', length: 128 })
  requestId: string;

  /** The x-request-id the caller sent, if any; never the record's own id, which the service makes. */
  @Column({ name: 'caller_request_id', type: 'varchar', length: 128, nullable: true })
  callerRequestId: string | null;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
