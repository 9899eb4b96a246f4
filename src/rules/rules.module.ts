import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { RuleCatalogue } from './catalogue';
import type { DataSpec } from './data-spec';
import { RULE_DATA_SPECS, RulePagesController } from './rule-pages.controller';
import { rulesControllerFor } from './rules.controller';
import type { RulesetSpec } from './ruleset-spec';
import { RulesService } from './rules.service';
import { RulesetVersionRecord } from './ruleset-version.entity';
import { LOAD_RULE_CATALOGUE, type LoadRuleCatalogue, RulesetVersions } from './ruleset-versions.service';

@Module({})
export class RulesModule {
  /**
   * Serves the catalogue loaded (and validated) before the application is built, with the ruleset
   * and data specs it was loaded with: an invalid rule file stops the service before this. `load`
   * loads an earlier version from its stored content the same way.
   */
  static forRoot(
    catalogue: RuleCatalogue,
    specs: { rulesets: readonly RulesetSpec[]; data: readonly DataSpec[]; load: LoadRuleCatalogue },
  ): DynamicModule {
    return {
      module: RulesModule,
      global: true,
      imports: [TypeOrmModule.forFeature([RulesetVersionRecord])],
      controllers: [rulesControllerFor(specs.rulesets), RulePagesController],
      providers: [
        { provide: RuleCatalogue, useValue: catalogue },
        { provide: RULE_DATA_SPECS, useValue: specs.data },
        { provide: LOAD_RULE_CATALOGUE, useValue: specs.load },
        RulesService,
        RulesetVersions,
      ],
      exports: [RuleCatalogue, RulesetVersions],
    };
  }
}
