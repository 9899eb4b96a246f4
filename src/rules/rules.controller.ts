import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { Type } from '@nestjs/common';

import { Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../common/api-problems.decorator';
import {
  type EvaluationRequest,
  evaluationRequestFor,
  EvaluationResponse,
  RuleCatalogueQuery,
  RuleCatalogueResponse,
  RuleDetailResponse,
  RulePathParams,
} from './rules.schema';
import type { RulesetSpec } from './ruleset-spec';
import { RulesService } from './rules.service';

/** The rules API for the rulesets the service runs: the evaluation body names each ruleset's facts. */
export function rulesControllerFor(specs: readonly RulesetSpec[]): Type<unknown> {
  const evaluationRequest = evaluationRequestFor(specs);

  @Roles('clinician', 'viewer', 'admin')
  @ApiTags('rules')
  @Controller('v1/rules')
  class RulesController {
    constructor(private readonly rules: RulesService) {}

    @Get()
    @ApiOperation({
      summary: 'List the rule catalogue',
      description: 'Every rule the service runs, with its rationale, evidence and outcome, and the ruleset version.',
    })
    @ApiOkResponse({ standardSchema: RuleCatalogueResponse })
    @ApiProblems(400)
    list(@Query({ schema: RuleCatalogueQuery }) query: z.infer<typeof RuleCatalogueQuery>): RuleCatalogueResponse {
      return this.rules.listRules(query.ruleset);
    }

    @Get(':id')
    @ApiOperation({
      summary: 'Describe one rule',
      description: 'A rule in full: conditions, outcome, rationale and evidence.',
    })
    @ApiOkResponse({ standardSchema: RuleDetailResponse })
    @ApiProblems(400, 404)
    describe(@Param({ schema: RulePathParams }) params: z.infer<typeof RulePathParams>): RuleDetailResponse {
      return this.rules.describeRule(params.id);
    }

    @Post('evaluations')
    @HttpCode(200)
    @ApiOperation({
      summary: 'Evaluate facts against a ruleset',
      description:
        'Runs one ruleset on the given facts and returns the rules that fired with their evidence, and the trace of every rule and condition. Nothing is stored; use it to see what the rules do with a case.',
    })
    @ApiOkResponse({ standardSchema: EvaluationResponse })
    @ApiProblems(400, 413, 415)
    evaluate(@Body({ schema: evaluationRequest }) body: EvaluationRequest): Promise<EvaluationResponse> {
      return this.rules.evaluate(body);
    }
  }

  return RulesController;
}
