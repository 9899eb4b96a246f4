/**
 * Verifies the whole audit chain in the configured database and reports the first broken link.
 * Exit 0 when intact, 1 when broken, 2 when the database cannot be read.
 */
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { AuditCheckpoint } from '../src/audit/audit-checkpoint';
import { AuditTrail } from '../src/audit/audit-trail.service';
import { SystemClock } from '../src/common/clock';
import { ConfigError, loadConfig } from '../src/config/config';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';

async function main(): Promise<number> {
  const config = loadConfig();
  const dataSource = await new DataSource({
    ...dataSourceOptions(config.database, ENTITIES),
    migrationsRun: false,
  }).initialize();
  try {
    const checkpoint =
      config.auditCheckpointFile === null ? undefined : new AuditCheckpoint(config.auditCheckpointFile);
    const result = await new AuditTrail(dataSource, new SystemClock(), checkpoint).verify();
    if (result.intact) {
      const anchor =
        result.anchoredAt !== undefined
          ? `, matches the checkpoint at record ${result.anchoredAt}`
          : checkpoint
            ? `; no checkpoint written yet at ${checkpoint.file}`
            : '; no checkpoint configured (AUDIT_CHECKPOINT_FILE), so removed last records cannot be detected';
      console.log(`audit trail intact: ${result.checked} records, head ${result.head}${anchor}`);
      return 0;
    }
    console.error(
      `audit trail BROKEN at record ${result.firstBroken?.seq}: ${result.firstBroken?.reason} (${result.checked} records before it are intact, last good hash ${result.head})`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError ? error.message : `cannot read the audit trail: ${(error as Error).message}`,
    );
    process.exit(2);
  },
);
