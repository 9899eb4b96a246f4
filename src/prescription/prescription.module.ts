import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { RulesetVersionRecord } from '../rules/ruleset-version.entity';
import { PlanTraces } from './plan-traces.service';
import { PrescriptionRecord } from './prescription-record.entity';
import { PrescriptionsController } from './prescriptions.controller';
import { PrescriptionsService } from './prescriptions.service';

@Module({
  imports: [TypeOrmModule.forFeature([PrescriptionRecord, RulesetVersionRecord])],
  controllers: [PrescriptionsController],
  providers: [PrescriptionsService, PlanTraces],
  exports: [PrescriptionsService],
})
export class PrescriptionModule {}
