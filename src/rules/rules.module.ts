import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { RULESET_SPECS } from '../rulesets';
import { RuleCatalogue } from './catalogue';
import { loadRules } from './loader';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';
import { RulesetVersionRecord } from './ruleset-version.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RulesetVersionRecord])],
  controllers: [RulesController],
  providers: [
    {
      provide: RuleCatalogue,
      // Loaded once at start; an invalid rules file throws here and the service does not start.
      useFactory: (config: AppConfig) => loadRules({ dir: config.rulesDir, specs: RULESET_SPECS }).catalogue,
      inject: [APP_CONFIG],
    },
    RulesService,
  ],
  exports: [RuleCatalogue],
})
export class RulesModule {}
