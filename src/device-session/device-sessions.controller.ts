import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { PrescriptionParams } from '../prescription/prescription.schema';
import {
  AbortRequest,
  DeviceSession,
  DeviceSessionParams,
  DeviceSessionRefusal,
  DeviceSessionRequest,
} from './device-session.schema';
import { DeviceSessionsService, type SessionCommand } from './device-sessions.service';

type Id = { id: string };

const DEVICE_FAILURES =
  '`DEVICE_NO_ACK` (504): the cuff did not acknowledge within 2 s; it has been told to deflate. `DEVICE_OFFLINE` (409): the cuff cannot be reached; nothing was sent.';
const COMMAND_CONFLICT =
  '`DEVICE_SESSION_STATE_CONFLICT`: the session is not in a state for this command; `DEVICE_REJECTED`: the cuff refused it (`ack` says why); `DEVICE_OFFLINE`.';

function CommandRoute(
  command: SessionCommand,
  summary: string,
  description: string,
  ...more: Array<MethodDecorator & ClassDecorator>
) {
  return applyDecorators(
    Post(`v1/device-sessions/:id/${command}`),
    HttpCode(200),
    Roles('clinician'),
    ApiOperation({ summary, description }),
    ApiOkResponse({ standardSchema: DeviceSession }),
    ApiResponse({ status: 409, description: COMMAND_CONFLICT, standardSchema: DeviceSessionRefusal }),
    ApiResponse({ status: 504, description: DEVICE_FAILURES, standardSchema: DeviceSessionRefusal }),
    ApiProblems(400, 404),
    ...more,
  );
}

@ApiTags('device sessions')
@Controller()
export class DeviceSessionsController {
  constructor(private readonly sessions: DeviceSessionsService) {}

  @Post('v1/prescriptions/:id/device-sessions')
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Push an approved plan to a cuff',
    description:
      "Makes the cuff program from the approved plan (one block per exercise of the session, in order, on the channel bound to its cuff site; the first session's pressures and exercise count until a session of the plan has completed), checks it against the cuff's hard limits (SR-1 to SR-8, LOP at most 24 h old) and the prescription safety envelope, self-tests the cuff when due, and loads the program. The session is then supervised: start it with `POST /v1/device-sessions/{id}/start`. A program over any limit is refused (422 `PROGRAM_REFUSED`, naming every breach) before anything is sent.",
  })
  @ApiCreatedResponse({ standardSchema: DeviceSession })
  @ApiResponse({
    status: 404,
    description: '`PRESCRIPTION_NOT_FOUND` or `DEVICE_NOT_FOUND`.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiResponse({
    status: 409,
    description:
      '`PRESCRIPTION_STATE_CONFLICT` (the plan is not approved), `DEVICE_OFFLINE`, `DEVICE_BUSY`, `DEVICE_REJECTED` (the cuff refused, or failed its self-test), or `IDEMPOTENCY_IN_FLIGHT`.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiResponse({
    status: 422,
    description: '`PROGRAM_REFUSED` with `breaches`, or `IDEMPOTENCY_KEY_REUSED`.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiResponse({ status: 504, description: DEVICE_FAILURES, standardSchema: DeviceSessionRefusal })
  @ApiProblems(400, 413, 415)
  create(
    @Param({ schema: PrescriptionParams }) params: Id,
    @Body({ schema: DeviceSessionRequest }) body: DeviceSessionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.create(params.id, body, principal);
  }

  @Get('v1/device-sessions/:id')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'Read a device session',
    description:
      'The program as pushed, the pressure actually held (per set and inflated rest: min, mean, max, time in band; a one-second trace), the log of commands and cuff events, the alarms, and adherence: time within ± 15 mmHg of the set point over the time the program prescribes at it.',
  })
  @ApiOkResponse({ standardSchema: DeviceSession })
  @ApiProblems(400, 404)
  find(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.find(params.id, principal);
  }

  @Get('v1/device-sessions/:id/telemetry')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'Follow a device session live',
    description:
      'Server-sent events (`text/event-stream`) for a page: `telemetry` (10 a second: state, block and set, per channel the pressure, set point and whether it is in band), `status`, `alarm` and `event`. Each `data` is JSON. The stream ends with the session; a session that has ended gets its status and the stream ends.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The event stream (`text/event-stream`).', schema: { type: 'string' } })
  @ApiProblems(400, 404)
  async telemetry(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamableFile> {
    const stream = await this.sessions.stream(params.id, principal);
    return new StreamableFile(stream, { type: 'text/event-stream; charset=utf-8' });
  }

  @CommandRoute(
    'start',
    'Start the session',
    "The cuff inflates to the first block's set point and runs the program: sets, rests and reperfusion on its own clock, the service checking every deadline and the pressure window as it goes.",
  )
  start(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.command(params.id, 'start', principal);
  }

  @CommandRoute(
    'next-set',
    'Go to the next set now',
    'Ends the current set or rest early (e.g. the patient cannot finish the repetitions); the block still ends with its reperfusion.',
  )
  nextSet(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.command(params.id, 'next-set', principal);
  }

  @CommandRoute('pause', 'Pause', 'The cuff deflates and keeps the program; resume to carry on.')
  pause(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.command(params.id, 'pause', principal);
  }

  @CommandRoute(
    'resume',
    'Resume',
    'The cuff inflates again and carries on, within the limits of the block and the session.',
  )
  resume(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.command(params.id, 'resume', principal);
  }

  @CommandRoute(
    'abort',
    'Deflate now and end the session',
    'Accepted in every state of the cuff: it deflates at once and the session ends as aborted, with the reason recorded.',
    ApiProblems(413, 415),
  )
  abort(
    @Param({ schema: DeviceSessionParams }) params: Id,
    @Body({ schema: AbortRequest.optional() }) body: AbortRequest | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceSession> {
    return this.sessions.command(params.id, 'abort', principal, body?.reason);
  }
}
