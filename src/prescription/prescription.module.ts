import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { PlanTraces } from './plan-traces.service';
import { PrescriptionRecord } from './prescription-record.entity';
import { PrescriptionsController } from './prescriptions.controller';
import { PrescriptionsService } from './prescriptions.service';

@Module({
  imports: [TypeOrmModule.forFeature([PrescriptionRecord])],
  controllers: [PrescriptionsController],
  providers: [PrescriptionsService, PlanTraces],
  exports: [PrescriptionsService],
})
export class PrescriptionModule {}
