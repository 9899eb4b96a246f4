import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import {
  DeviceList,
  DeviceLopMeasurement,
  DeviceParams,
  DeviceSessionRefusal,
  LopMeasurementRequest,
} from './device-session.schema';
import { DevicesService } from './devices.service';

@ApiTags('device sessions')
@Controller('v1/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'List the cuffs',
    description:
      "Every cuff unit of the caller's organization the service can reach (cuffs are assigned to organizations by configuration), with presence, last state and whether it is busy. Another organization's cuff is not listed and answers 404 wherever it is named.",
  })
  @ApiOkResponse({ standardSchema: DeviceList })
  list(@CurrentPrincipal() principal: Principal): Promise<z.infer<typeof DeviceList>> {
    return this.devices.list(principal);
  }

  @Post(':id/lop-measurements')
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Measure the LOP with the cuff',
    description:
      'The cuff inflates step by step until the pulse disappears in its bladder (embedded method), stopping at 280 mmHg (SR-3), then deflates; it self-tests first when due. The LOP is stored with its provenance (patient, cuff, channel, site, cuff width, posture, time, confidence) and returned with `lop`, ready to put in `limbs[].lop` of a prescription request. No LOP below the search ceiling answers 422 `LOP_NOT_FOUND` and stores nothing. Takes up to about a minute.',
  })
  @ApiCreatedResponse({ standardSchema: DeviceLopMeasurement })
  @ApiResponse({ status: 404, description: '`DEVICE_NOT_FOUND`.', standardSchema: DeviceSessionRefusal })
  @ApiResponse({
    status: 409,
    description:
      '`DEVICE_OFFLINE` (or lost during the measurement), `DEVICE_BUSY`, `DEVICE_REJECTED`, or `IDEMPOTENCY_IN_FLIGHT`.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiResponse({
    status: 422,
    description: '`LOP_NOT_FOUND` (with `reason`), or `IDEMPOTENCY_KEY_REUSED`.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiResponse({
    status: 504,
    description: '`DEVICE_NO_ACK`: the cuff did not answer; it has been told to deflate.',
    standardSchema: DeviceSessionRefusal,
  })
  @ApiProblems(400, 413, 415)
  measureLop(
    @Param({ schema: DeviceParams }) params: { id: string },
    @Body({ schema: LopMeasurementRequest }) body: LopMeasurementRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceLopMeasurement> {
    return this.devices.measureLop(params.id, body, principal);
  }
}
