import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, type AppConfig } from '../config/config';

import { AuditEvent } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditTrail } from './audit-trail.service';
import { AuditCheckpoint, CHECKPOINT_EVERY } from './audit-checkpoint';

const logger = new Logger('AuditTrail');

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [
    AuditTrail,
    {
      provide: AuditCheckpoint,
      inject: [APP_CONFIG],
      // The head is also written to the log, which usually leaves the machine before the database can be touched.
      useFactory: (config: AppConfig) =>
        config.auditCheckpointFile === null
          ? null
          : new AuditCheckpoint(config.auditCheckpointFile, CHECKPOINT_EVERY, {
              written: (head) => logger.log({ auditHead: head }, `audit chain head anchored at record ${head.seq}`),
              failed: (error) => logger.error({ err: error }, 'audit checkpoint could not be written'),
            }),
    },
  ],
  exports: [AuditTrail],
})
export class AuditModule {}
