import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import type { ChainVerification } from './audit-chain';
import { AuditPage, AuditQuery, AuditVerification } from './audit.schema';
import { AuditTrail } from './audit-trail.service';

@Roles('admin')
@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @ApiOperation({
    summary: 'List the audit trail',
    description:
      "Who did what, when, to which record, and how it ended, for the admin's organization; oldest first, paged by sequence number.",
  })
  @ApiOkResponse({ standardSchema: AuditPage })
  @ApiProblems(400)
  async list(
    @Query({ schema: AuditQuery }) query: AuditQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditPage> {
    const records = await this.audit.list(principal.tenant, query);
    return { records, nextAfter: records.length === query.limit ? records[records.length - 1].seq : null };
  }

  @Get('verification')
  @Roles('admin', 'operator')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description:
      "Recomputes every hash of the whole chain and reports the first broken link: a changed, missing or re-ordered record. An admin gets the figures of the admin's organization only (its records checked, the hash of its last one, a broken link when it is one of its records); the `operator` role, which runs the service for every organization, gets the whole chain's.",
  })
  @ApiOkResponse({ standardSchema: AuditVerification })
  async verify(@CurrentPrincipal() principal: Principal): Promise<AuditVerification> {
    const operator = principal.roles.includes('operator');
    const result: ChainVerification = await this.audit.verify(operator ? undefined : principal.tenant);
    return { ...result, scope: operator ? 'all' : 'organization' };
  }
}
