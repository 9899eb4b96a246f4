import { AuditEvent } from './audit/audit-event.entity';
import { DEVICE_SESSION_ENTITIES } from './device-session/device-session.entities';
import { CdsCardRecord } from './ehr/cds-hooks/cds-card.entity';
import { CdsFeedbackRecord } from './ehr/cds-hooks/cds-feedback.entity';
import { CdsTokenId } from './ehr/cds-hooks/cds-token-id.entity';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity';
import { PrescriptionRecord } from './prescription/prescription-record.entity';
import { RulesetVersionRecord } from './rules/ruleset-version.entity';
import { ScreeningRecord } from './screening/screening-record.entity';

/**
 * Every entity of the service. The application does not read this list: each module registers its
 * own entities (TypeOrmModule.forFeature). Scripts and tests that open the database outside the
 * application pass it to dataSourceOptions, and a test checks that both know the same entities.
 */
export const ENTITIES = [
  RulesetVersionRecord,
  AuditEvent,
  IdempotencyRecord,
  ScreeningRecord,
  PrescriptionRecord,
  ...DEVICE_SESSION_ENTITIES,
  CdsTokenId,
  CdsCardRecord,
  CdsFeedbackRecord,
];
