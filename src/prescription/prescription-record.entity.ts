import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../common/iso-timestamp';

export type PrescriptionStatus = 'draft' | 'approved' | 'cancelled' | 'superseded';

/**
 * A stored plan version: the request and day it was made from, the ruleset version, the plan and
 * the hash of its full rule trace, so the same input and version give the same plan and trace again. Approved versions
 * are never edited; a change is a new version of the same series.
 */
@Entity('prescriptions')
@Index('prescriptions_series_version', ['seriesId', 'version'], { unique: true })
@Index('prescriptions_tenant_patient_created', ['tenant', 'patientRef', 'createdAt', 'id'])
export class PrescriptionRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  tenant: string;

  @Column({ name: 'patient_ref', type: 'varchar', length: 64 })
  patientRef: string;

  /** Id of the first version; every version of one plan shares it. */
  @Column({ name: 'series_id', type: 'varchar', length: 36 })
  seriesId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'previous_id', type: 'varchar', length: 36, nullable: true })
  previousId: string | null;

  @Column({ type: 'varchar', length: 20 })
  status: PrescriptionStatus;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30, transformer: isoTimestamp })
  createdAt: Date;

  @Column({ name: 'generated_on', type: 'varchar', length: 10 })
  generatedOn: string;

  @Column({ name: 'ruleset_version', type: 'varchar', length: 64 })
  rulesetVersion: string;

  @Column({ type: 'varchar', length: 64 })
  condition: string;

  @Column({ type: 'varchar', length: 100 })
  phase: string;

  /** The validated request, as JSON. */
  @Column({ type: 'text' })
  request: string;

  /** The plan, as JSON. */
  @Column({ type: 'text' })
  plan: string;

  /**
   * Every rule evaluation behind the plan, as JSON: for plans stored before `traceSha256` and for
   * approved plans (stored when signed); empty for drafts, whose trace is rebuilt from the
   * request, day and ruleset version.
   */
  @Column({ type: 'text' })
  trace: string;

  /** sha256 (hex) of the trace's JSON as it was made with the plan; a rebuilt trace must match it. */
  @Column({ name: 'trace_sha256', type: 'varchar', length: 64, nullable: true })
  traceSha256: string | null;

  @Column({ name: 'approved_by', type: 'varchar', length: 200, nullable: true })
  approvedBy: string | null;

  @Column({ name: 'approved_at', type: 'varchar', length: 30, nullable: true, transformer: isoTimestamp })
  approvedAt: Date | null;

  /** The acknowledged cautions with their notes, as JSON. */
  @Column({ type: 'text', nullable: true })
  acknowledgements: string | null;

  /** How the patient reaches the approving clinician, as JSON. */
  @Column({ type: 'text', nullable: true })
  contact: string | null;

  @Column({ name: 'cancelled_by', type: 'varchar', length: 200, nullable: true })
  cancelledBy: string | null;

  @Column({ name: 'cancelled_at', type: 'varchar', length: 30, nullable: true, transformer: isoTimestamp })
  cancelledAt: Date | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ name: 'superseded_by', type: 'varchar', length: 36, nullable: true })
  supersededBy: string | null;
}
