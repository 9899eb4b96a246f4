import { Module } from '@nestjs/common';

import { RulesModule } from '../rules/rules.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [RulesModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
