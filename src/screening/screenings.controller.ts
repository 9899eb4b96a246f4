import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { Screening, ScreeningOutcome, ScreeningParams, ScreeningRequest } from './screening.schema';
import { ScreeningsService } from './screenings.service';

@ApiTags('screenings')
@Controller('v1/screenings')
export class ScreeningsController {
  constructor(private readonly screenings: ScreeningsService) {}

  @Post()
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Screen a patient for BFR',
    description:
      'Evaluates the screening rules on the answers, blood pressure and planned cuff sites, and stores the result. The verdict is `contraindicated`, `incomplete` (names what is missing), `refer` (medical clearance needed; a recorded clearance that names the rule id of the finding makes it `caution` with the modifications its rule keeps, one that does not name it changes nothing), `caution` (allowed with the modifications listed) or `clear`. Every finding names its rule, evidence and the values it read.',
  })
  @ApiCreatedResponse({ standardSchema: Screening })
  @ApiProblems(400, 413, 415)
  screen(
    @Body({ schema: ScreeningRequest }) body: ScreeningRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Screening> {
    return this.screenings.screen(body, principal);
  }

  @Post('evaluations')
  @HttpCode(200)
  @Roles('clinician')
  @ApiOperation({
    summary: 'Evaluate a screening without storing it',
    description:
      "The same rules and the same answer as `POST /v1/screenings`, on today's date, but nothing is stored: for showing the verdict while a clinician fills in the form. Store the screening with `POST /v1/screenings` (or make the plan) once it is complete.",
  })
  @ApiOkResponse({ standardSchema: ScreeningOutcome })
  @ApiProblems(400, 413, 415)
  evaluate(@Body({ schema: ScreeningRequest }) body: ScreeningRequest): Promise<ScreeningOutcome> {
    return this.screenings.evaluate(body);
  }

  @Get(':id')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({ summary: 'Read a screening', description: "A stored screening of the caller's organization." })
  @ApiOkResponse({ standardSchema: Screening })
  @ApiProblems(400, 404)
  find(
    @Param({ schema: ScreeningParams }) params: { id: string },
    @CurrentPrincipal() principal: Principal,
  ): Promise<Screening> {
    return this.screenings.find(params.id, principal);
  }
}
