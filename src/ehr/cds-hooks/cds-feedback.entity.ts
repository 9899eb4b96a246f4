import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../../common/iso-timestamp';

/**
 * What a clinician did with a card, once per rule behind the card, so that override rates can be
 * counted per rule and rule set version. The primary key makes a resent feedback a no-op.
 */
@Entity('cds_feedback')
@Index('cds_feedback_rule', ['ruleId', 'outcome'])
export class CdsFeedbackRecord {
  @PrimaryColumn({ type: 'varchar', length: 500 })
  issuer: string;

  @PrimaryColumn({ name: 'card_uuid', type: 'varchar', length: 36 })
  cardUuid: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  outcome: 'accepted' | 'overridden';

  /** When the clinician acted, as UTC ISO text: the same instant sent twice is one record. */
  @PrimaryColumn({ name: 'outcome_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  outcomeAt: Date;

  @PrimaryColumn({ name: 'rule_id', type: 'varchar', length: 200 })
  ruleId: string;

  @Column({ name: 'rule_version', type: 'integer' })
  ruleVersion: number;

  @Column({ name: 'ruleset_version', type: 'varchar', length: 64 })
  rulesetVersion: string;

  @Column({ name: 'service_id', type: 'varchar', length: 100 })
  serviceId: string;

  /** Uuids of the suggestions accepted, as a JSON array; null when overridden. */
  @Column({ name: 'accepted_suggestions', type: 'text', nullable: true })
  acceptedSuggestions: string | null;

  @Column({ name: 'override_system', type: 'varchar', length: 500, nullable: true })
  overrideSystem: string | null;

  @Column({ name: 'override_code', type: 'varchar', length: 200, nullable: true })
  overrideCode: string | null;

  @Column({ name: 'override_comment', type: 'text', nullable: true })
  overrideComment: string | null;

  @Column({ name: 'received_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  receivedAt: Date;
}
