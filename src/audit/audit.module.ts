import { Global, Module } from '@nestjs/common';

import { AuditController } from './audit.controller';
import { UnitOfWork } from '../database/unit-of-work';
import { AuditTrail } from './audit-trail.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditTrail, UnitOfWork],
  exports: [AuditTrail, UnitOfWork],
})
export class AuditModule {}
