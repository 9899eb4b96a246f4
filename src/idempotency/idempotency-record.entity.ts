import { Column, Entity, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

/** A creating request seen with an Idempotency-Key, and the answer it got once it completed. */
@Entity('idempotency_keys')
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  tenant: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  subject: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  key: string;

  /** Method and route, so that a key reused on another endpoint is not mistaken for a retry. */
  @Column({ type: 'varchar', length: 200 })
  action: string;

  /** sha256 of the canonical request body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  /** The JSON answer, kept to be replayed; null while the request is in flight. */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  createdAt: Date;
}
