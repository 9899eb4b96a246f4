import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import { Problem } from '../common/problem';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { PrescriptionRequest } from './prescription-request.schema';
import {
  ApprovalRequest,
  CancellationRequest,
  Prescription,
  PrescriptionListQuery,
  PrescriptionPage,
  PrescriptionParams,
  PrescriptionRefusal,
  PrescriptionTrace,
} from './prescription.schema';
import { PrescriptionsService } from './prescriptions.service';

const REFUSED =
  'No plan: `CONTRAINDICATED`, `SCREENING_INCOMPLETE`, `REFERRAL_REQUIRED` (with the screening), `LOP_REQUIRED` (with the LOP findings), `PLAN_NOT_POSSIBLE`, `ENVELOPE_BREACH` (with the breaches); or `IDEMPOTENCY_KEY_REUSED`.';
const CONFLICT =
  '`PRESCRIPTION_STATE_CONFLICT`: the version is not in a state that allows this; or `IDEMPOTENCY_IN_FLIGHT`.';

type Id = { id: string };

@ApiTags('prescriptions')
@Controller('v1/prescriptions')
export class PrescriptionsController {
  constructor(private readonly prescriptions: PrescriptionsService) {}

  @Post()
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Make a draft BFR plan',
    description:
      'Screens the patient (the same rules as `POST /v1/screenings`), selects the phase and exercises for the indication, resolves the LOP of each cuff site, doses each exercise, sets the schedule and checks the plan against the safety envelope. Returns a draft to approve. Every exercise and dose parameter names the rules and evidence that set it; cautions must be acknowledged at approval. A contraindicated or incomplete screening, or a referral that no recorded clearance names, answers 422 with the screening; for a surgical indication the surgery date of the indication is the recent surgery and the answer of the surgeon is required whatever the weeks; so does a plan that needs an LOP measured or would breach the envelope.',
  })
  @ApiCreatedResponse({ standardSchema: Prescription })
  @ApiResponse({ status: 422, description: REFUSED, standardSchema: PrescriptionRefusal })
  @ApiProblems(400, 413, 415)
  create(
    @Body({ schema: PrescriptionRequest }) body: PrescriptionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Prescription> {
    return this.prescriptions.create(body, principal);
  }

  @Get()
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'List plans',
    description:
      "Every plan version for a patient of the caller's organization, or without `patient` every patient's (the clinic's patient list), newest first, a page at a time.",
  })
  @ApiOkResponse({ standardSchema: PrescriptionPage })
  @ApiProblems(400)
  list(
    @Query({ schema: PrescriptionListQuery }) query: PrescriptionListQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): Promise<PrescriptionPage> {
    // The audit trail records whose plans were read, as the record the request acted on.
    request.auditedAs = { ...request.auditedAs, resourceId: `patient/${query.patient}` };
    return this.prescriptions.list(query, principal);
  }

  @Get(':id')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'Read a plan version',
    description: "A stored plan version of the caller's organization with its lifecycle.",
  })
  @ApiOkResponse({ standardSchema: Prescription })
  @ApiProblems(400, 404)
  find(
    @Param({ schema: PrescriptionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Prescription> {
    return this.prescriptions.find(params.id, principal);
  }

  @Get(':id/trace')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'Read the rule trace behind a plan',
    description:
      'Every rule of the selection, LOP, dosing and schedule rulesets as it was evaluated for this plan: each named condition, the value it read and the result. The trace is made again from the stored request, day and ruleset version and answered only when it hashes as the one made with the plan; otherwise 409 `TRACE_NOT_REPRODUCIBLE`.',
  })
  @ApiOkResponse({ standardSchema: PrescriptionTrace })
  @ApiResponse({
    status: 409,
    description: '`TRACE_NOT_REPRODUCIBLE`: the trace made again does not hash as the one made with the plan.',
    standardSchema: Problem,
  })
  @ApiProblems(400, 404)
  trace(@Param({ schema: PrescriptionParams }) params: Id, @CurrentPrincipal() principal: Principal) {
    return this.prescriptions.trace(params.id, principal);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('clinician')
  @ApiOperation({
    summary: 'Approve a draft plan',
    description:
      "The clinician signs the draft, acknowledging each caution by id (`plan.cautions[].id`). The approved version is immutable and supersedes the earlier versions of the plan; its rule trace is made again, checked against the draft's hash and stored with it. Missing or unknown acknowledgements answer 422 and change nothing.",
  })
  @ApiOkResponse({ standardSchema: Prescription })
  @ApiResponse({
    status: 409,
    description: `${CONFLICT} \`TRACE_NOT_REPRODUCIBLE\`: the draft's trace no longer comes out as it was made; revise the plan.`,
    standardSchema: PrescriptionRefusal,
  })
  @ApiResponse({
    status: 422,
    description: '`ACKNOWLEDGEMENT_REQUIRED`: `missing` and `unknown` list the ids.',
    standardSchema: PrescriptionRefusal,
  })
  @ApiProblems(400, 404, 413, 415)
  approve(
    @Param({ schema: PrescriptionParams }) params: Id,
    @Body({ schema: ApprovalRequest }) body: ApprovalRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Prescription> {
    return this.prescriptions.approve(params.id, body, principal);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('clinician')
  @ApiOperation({
    summary: 'Cancel a plan version',
    description: 'Cancels a draft or approved version, recording who and why.',
  })
  @ApiOkResponse({ standardSchema: Prescription })
  @ApiResponse({ status: 409, description: CONFLICT, standardSchema: PrescriptionRefusal })
  @ApiProblems(400, 404, 413, 415)
  cancel(
    @Param({ schema: PrescriptionParams }) params: Id,
    @Body({ schema: CancellationRequest }) body: CancellationRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Prescription> {
    return this.prescriptions.cancel(params.id, body, principal);
  }

  @Post(':id/revisions')
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Revise a plan',
    description:
      'Makes a new draft version from a changed request, linked to this version (`previousVersionId`). Only the latest version of a plan can be revised; this version stays as it is until the new one is approved.',
  })
  @ApiCreatedResponse({ standardSchema: Prescription })
  @ApiResponse({ status: 409, description: CONFLICT, standardSchema: PrescriptionRefusal })
  @ApiResponse({ status: 422, description: REFUSED, standardSchema: PrescriptionRefusal })
  @ApiProblems(400, 404, 413, 415)
  revise(
    @Param({ schema: PrescriptionParams }) params: Id,
    @Body({ schema: PrescriptionRequest }) body: PrescriptionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Prescription> {
    return this.prescriptions.revise(params.id, body, principal);
  }
}
