import { Column, Entity, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../../common/iso-timestamp';

/**
 * A card this service gave an EHR, with the rules behind it, so feedback about it can be stored
 * against those rules. No clinical content: the card's text is not kept, only the patient's
 * reference in the EHR, which the audit trail names when feedback about the card arrives.
 */
@Entity('cds_cards')
export class CdsCardRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  uuid: string;

  /** The EHR (JWT issuer) the card was given to; only it may send feedback about it. */
  @Column({ type: 'varchar', length: 500 })
  issuer: string;

  @Column({ name: 'service_id', type: 'varchar', length: 100 })
  serviceId: string;

  @Column({ name: 'hook_instance', type: 'varchar', length: 100 })
  hookInstance: string;

  @Column({ type: 'varchar', length: 10 })
  indicator: string;

  /** `Patient/{id}` in the EHR; null on cards given before it was kept. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  patient: string | null;

  @Column({ name: 'ruleset_version', type: 'varchar', length: 64 })
  rulesetVersion: string;

  /** The rules behind the card, as JSON `[{ ruleId, version }]`. */
  @Column({ type: 'text' })
  rules: string;

  /** Uuids of the card's suggestions, as a JSON array. */
  @Column({ type: 'text' })
  suggestions: string;

  /** The override reasons the card offered, as JSON Codings. */
  @Column({ name: 'override_reasons', type: 'text' })
  overrideReasons: string;

  @Column({ name: 'issued_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  issuedAt: Date;
}
