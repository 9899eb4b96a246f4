import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { Public } from '../../auth/auth.decorators';
import { RuleCatalogue } from '../../rules/catalogue';
import { ApiOutcomes } from './api-outcomes.decorator';
import { CurrentCdsCaller } from './cds-caller.decorator';
import { CdsFeedback } from './cds-feedback';
import { CdsHookCalls } from './cds-hook-calls';
import { CdsDiscovery, CdsFeedbackRequest, CdsHookRequest, CdsResponse, CdsServiceParams } from './cds-hooks.schema';
import type { CdsCaller } from './cds-jwt';
import { CdsJwtGuard } from './cds-jwt.guard';
import { type CdsService, cdsServices } from './cds-services';
import { issue, OperationOutcomeError } from './operation-outcome';

/** Name of the OpenAPI security scheme of the CDS Hooks routes: the EHR's JWT, not this service's bearer token. */
export const CDS_HOOKS_JWT = 'cds-hooks-jwt';

@ApiTags('cds-hooks')
// The service's own bearer tokens do not apply here: CdsJwtGuard checks the EHR's JWT instead.
@Public()
@UseGuards(CdsJwtGuard)
@ApiBearerAuth(CDS_HOOKS_JWT)
@ApiOutcomes(401, 429)
@Controller('cds-services')
export class CdsServicesController {
  private readonly services: CdsService[];

  constructor(
    catalogue: RuleCatalogue,
    private readonly calls: CdsHookCalls,
    private readonly feedback: CdsFeedback,
  ) {
    this.services = cdsServices(catalogue.version);
  }

  @Get()
  @ApiOperation({
    summary: 'CDS Hooks discovery',
    description:
      'The CDS services offered, their hooks and prefetch templates (CDS Hooks 2.0). Called by an EHR with its signed JWT (`aud` = this URL).',
  })
  @ApiOkResponse({ standardSchema: CdsDiscovery })
  discovery(): CdsDiscovery {
    return { services: this.services };
  }

  @Post(':id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Call a CDS service',
    description:
      "Answers a hook with cards. The patient's record comes from `prefetch`; what was not prefetched is read from `fhirServer` with `fhirAuthorization` within the configured time budget, and whatever could not be read is named on an info card. Every card names the rules behind it (id, version, rule set), the record entries and dates they read, and their evidence, and links to the rule pages.",
  })
  @ApiOkResponse({ standardSchema: CdsResponse })
  @ApiOutcomes(400, 404, 412, 413, 415)
  call(
    @Param({ schema: CdsServiceParams }) params: { id: string },
    @Body({ schema: CdsHookRequest }) body: CdsHookRequest,
    @CurrentCdsCaller() caller: CdsCaller,
    @Req() request: FastifyRequest,
  ): Promise<CdsResponse> {
    const service = this.service(params.id);
    request.auditedAs = {
      ...request.auditedAs,
      action: `POST /cds-services/${service.id}`,
      resourceId: `Patient/${body.context.patientId}`,
    };
    return this.calls.answer(service, body, caller);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Feedback on cards',
    description:
      'What the clinician did with each card: accepted (with the suggestions taken) or overridden (with the reason). Stored against the rules and rule set version behind the card; sending the same feedback again changes nothing.',
  })
  @ApiOkResponse({ description: 'Stored, or already stored.' })
  @ApiOutcomes(400, 404, 413, 415)
  async storeFeedback(
    @Param({ schema: CdsServiceParams }) params: { id: string },
    @Body({ schema: CdsFeedbackRequest }) body: CdsFeedbackRequest,
    @CurrentCdsCaller() caller: CdsCaller,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const service = this.service(params.id);
    request.auditedAs = { ...request.auditedAs, action: `POST /cds-services/${service.id}/feedback`, resourceId: null };
    const patients = await this.feedback.store(caller, service.id, body);
    request.auditedAs.resourceId = patients.length > 0 ? patients.join(' ') : null;
  }

  private service(id: string): CdsService {
    const service = this.services.find((s) => s.id === id);
    if (!service) {
      throw new OperationOutcomeError(404, [
        issue('not-found', `No CDS service has the id "${id}"; GET /cds-services lists them.`, { expression: ['id'] }),
      ]);
    }
    return service;
  }
}
