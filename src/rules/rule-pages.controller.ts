import { Controller, Get, Header, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

import { Public } from '../auth/auth.decorators';
import { ApiProblems } from '../common/api-problems.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RuleCatalogue } from './catalogue';
import type { DataSpec, SourcedEntries } from './data-spec';
import {
  entryPageHtml,
  ruleIndexHtml,
  ruleNotFoundHtml,
  rulePageHtml,
  rulePageUrl,
  rulesetOutline,
  rulesPageUrl,
} from './rule-page';
import { RuleCatalogueQuery, RulePathParams } from './rules.schema';

const HTML = 'text/html; charset=utf-8';

/** The data tables the catalogue was loaded with, given by whoever loaded it. */
export const RULE_DATA_SPECS = Symbol('RULE_DATA_SPECS');

/**
 * The rules as pages a clinician opens from an EHR card, without an account: rule content is not
 * patient data. Read-only, rate-limited like every route, and outside /v1 so that it is not audited
 * as access to records.
 */
@Public()
@ApiTags('rules')
@Controller('rules')
export class RulePagesController {
  /** The data tables whose entries decide like rules, with those entries. */
  private readonly tables: Array<{ name: string } & SourcedEntries>;

  constructor(
    private readonly catalogue: RuleCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RULE_DATA_SPECS) dataSpecs: readonly DataSpec[],
  ) {
    this.tables = dataSpecs.flatMap((spec) =>
      spec.sourced ? [{ name: spec.name, ...spec.sourced(catalogue.table(spec)) }] : [],
    );
  }

  @Get()
  @Header('content-type', HTML)
  @ApiOperation({
    summary: 'Rule catalogue page',
    description:
      'Every rule as a link to its page, ruleset by ruleset, and the table entries that decide like rules (the FHIR mapping) (HTML, no sign-in; `?ruleset=screening` for one ruleset).',
  })
  @ApiOkResponse({ description: 'The catalogue page.', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiProblems(400, 429)
  index(@Query({ schema: RuleCatalogueQuery }) query: z.infer<typeof RuleCatalogueQuery>): string {
    const names = this.catalogue.rulesetNames.filter((name) => query.ruleset === undefined || name === query.ruleset);
    const rulesets = names.map((name) => {
      const loaded = this.catalogue.ruleset(name)!;
      return { outline: rulesetOutline(name, loaded), rules: loaded.rules };
    });
    const tables = query.ruleset === undefined ? this.tables : [];
    return ruleIndexHtml(rulesets, tables, this.catalogue.version, (id) => rulePageUrl(this.config.publicBaseUrl, id));
  }

  @Get(':id')
  @Header('content-type', HTML)
  @ApiOperation({
    summary: 'Rule page',
    description:
      'One rule for a clinician (HTML, no sign-in; the page EHR cards link to): what it decides, why, when it applies with the facts it reads in plain words, every source with its level, and the rule set version. Entries of the FHIR mapping (`fhir.…`) have pages too. An unknown id answers 404 with an HTML page.',
  })
  @ApiOkResponse({ description: 'The rule page.', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({
    description: 'No rule has this id: a page saying so.',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 429)
  page(
    @Param({ schema: RulePathParams }) params: z.infer<typeof RulePathParams>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    const catalogueUrl = rulesPageUrl(this.config.publicBaseUrl);
    const found = this.catalogue.rule(params.id);
    if (found) {
      return rulePageHtml(
        found.rule,
        rulesetOutline(found.ruleset, this.catalogue.ruleset(found.ruleset)!),
        this.catalogue.version,
        catalogueUrl,
      );
    }
    for (const table of this.tables) {
      const entry = table.entries.find((e) => e.id === params.id);
      if (entry) {
        return entryPageHtml(entry, table, this.catalogue.version, catalogueUrl);
      }
    }
    void reply.status(404);
    return ruleNotFoundHtml(params.id, this.catalogue.version, catalogueUrl);
  }
}
