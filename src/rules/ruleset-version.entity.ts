import { Column, Entity, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

/**
 * Every ruleset version the service has run, with its full content, so a plan stored with a
 * version can always be explained by the exact rules that produced it.
 */
@Entity('ruleset_versions')
export class RulesetVersionRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  version: string;

  @Column({ name: 'rule_count', type: 'integer' })
  ruleCount: number;

  /** Canonical JSON of every rule file of this version, keyed by file name. */
  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'first_loaded_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  firstLoadedAt: Date;
}
