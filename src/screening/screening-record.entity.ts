import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';
import type { Verdict } from './screening.ruleset';

/** A stored screening: what was asked, what the rules said, with which ruleset version, by whom. */
@Entity('screenings')
@Index('screenings_tenant_patient', ['tenant', 'patientRef'])
export class ScreeningRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  tenant: string;

  @Column({ name: 'patient_ref', type: 'varchar', length: 64 })
  patientRef: string;

  @Column({ name: 'screened_by', type: 'varchar', length: 200 })
  screenedBy: string;

  @Column({ name: 'screened_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  screenedAt: Date;

  @Column({ name: 'ruleset_version', type: 'varchar', length: 64 })
  rulesetVersion: string;

  @Column({ type: 'varchar', length: 20 })
  verdict: Verdict;

  /** The validated request, as JSON. */
  @Column({ type: 'text' })
  request: string;

  /** The outcome (verdict, findings, sites, score), as JSON. */
  @Column({ type: 'text' })
  outcome: string;
}
