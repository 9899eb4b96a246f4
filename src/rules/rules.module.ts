import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import type { AppConfig } from '../config/config';
import { loadRuleCatalogue } from '../rulesets';
import { RuleCatalogue } from './catalogue';
import { RulePagesController } from './rule-pages.controller';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';
import { RulesetVersionRecord } from './ruleset-version.entity';

@Module({})
export class RulesModule {
  /**
   * Loads and validates rules-data/ once, before the application is built: an invalid rule file
   * throws RulesetInvalidError here and the service does not start.
   */
  static forRoot(config: AppConfig): DynamicModule {
    const catalogue = loadRuleCatalogue(config.rulesDir);
    return {
      module: RulesModule,
      global: true,
      imports: [TypeOrmModule.forFeature([RulesetVersionRecord])],
      controllers: [RulesController, RulePagesController],
      providers: [{ provide: RuleCatalogue, useValue: catalogue }, RulesService],
      exports: [RuleCatalogue],
    };
  }
}
