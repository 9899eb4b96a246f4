import { RulesetVersions1763700000000 } from './1763700000000-ruleset-versions';
import { AuditEvents1763800000000 } from './1763800000000-audit-events';
import { IdempotencyKeys1763900000000 } from './1763900000000-idempotency-keys';
import { Screenings1764000000000 } from './1764000000000-screenings';
import { Prescriptions1764100000000 } from './1764100000000-prescriptions';
import { PrescriptionContact1764200000000 } from './1764200000000-prescription-contact';
import { DeviceSessions1764300000000 } from './1764300000000-device-sessions';
import { CdsHooks1764400000000 } from './1764400000000-cds-hooks';
import { CdsCardPatient1764700000000 } from './1764700000000-cds-card-patient';
import { AuditCallerRequestId1765050000000 } from './1765050000000-audit-caller-request-id';
import { DeviceCommandSequences1765100000000 } from './1765100000000-device-command-sequences';
import { DeviceLeases1765200000000 } from './1765200000000-device-leases';
import { PrescriptionTraceSha2561765260000000 } from './1765260000000-prescription-trace-sha256';

/** Every migration, oldest first. They run at start on SQLite and PostgreSQL alike. */
export const MIGRATIONS = [
  RulesetVersions1763700000000,
  AuditEvents1763800000000,
  IdempotencyKeys1763900000000,
  Screenings1764000000000,
  Prescriptions1764100000000,
  PrescriptionContact1764200000000,
  DeviceSessions1764300000000,
  CdsHooks1764400000000,
  CdsCardPatient1764700000000,
  AuditCallerRequestId1765050000000,
  DeviceCommandSequences1765100000000,
  DeviceLeases1765200000000,
  PrescriptionTraceSha2561765260000000,
];
