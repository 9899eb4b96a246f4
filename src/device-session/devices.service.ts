import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';

import type { Principal } from '../auth/principal';
import { DomainError, ErrorCode } from '../common/problem';
import { invalidFields } from '../common/validation.pipe';
import { UnitOfWork } from '../database/unit-of-work';
import { CUFF_TRANSPORT, type CuffTransport } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Timers } from '../device-adapter/timers';
import { DeviceSessionRecord } from './device-session.entity';
import type { DeviceList, DeviceLopMeasurement, LopMeasurementRequest } from './device-session.schema';
import { LopMeasurementRecord } from './lop-measurement.entity';
import { TIMERS } from '../device-adapter/device-adapter.module';
import { isAtRest } from './cuff-states';
import { SessionSupervisor } from './session-supervisor';
import { CuffOwnership } from './cuff-ownership';
import type { z } from 'zod';

const NOT_FOUND_REASONS: Record<string, string> = {
  LOP_NOT_FOUND: `the pulse was still there at the ${DEVICE_LIMITS.lopSearchCeilingMmHg} mmHg search ceiling, so the LOP is above what this cuff may measure; a wider cuff occludes at a lower pressure`,
  NO_PULSE: 'the cuff never detected a pulse; check the cuff placement and that the limb is relaxed',
  TIMEOUT: `the search did not end within ${DEVICE_LIMITS.lopSearchTimeoutS} s; keep the limb still and try again`,
  ABORTED: 'the search was stopped before it ended',
};

/** The cuff units of the caller's organization, and LOPs measured with them. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly supervisor: SessionSupervisor,
    private readonly ownership: CuffOwnership,
    @Inject(CUFF_TRANSPORT) private readonly transport: CuffTransport,
    @Inject(TIMERS) private readonly timers: Timers,
    @InjectRepository(DeviceSessionRecord) private readonly sessions: Repository<DeviceSessionRecord>,
    @InjectRepository(LopMeasurementRecord) private readonly measurements: Repository<LopMeasurementRecord>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async list(principal: Principal): Promise<z.infer<typeof DeviceList>> {
    const devices = this.ownership.devicesOf(principal.tenant);
    const running = devices
      .map((d) => this.supervisor.sessionOn(d.deviceId)?.id)
      .filter((id): id is string => id !== undefined);
    const ours =
      running.length === 0
        ? []
        : await this.sessions.find({ where: { id: In(running), tenant: principal.tenant }, select: ['id'] });
    return {
      transport: this.transport.kind,
      items: devices.map((d) => {
        const session = this.supervisor.sessionOn(d.deviceId);
        return {
          deviceId: d.deviceId,
          model: d.model,
          firmware: d.firmware,
          channels: d.channels,
          online: d.online,
          state: d.state,
          gatewayId: d.gatewayId,
          lastSeenAt: d.lastSeenAt,
          sessionId: session && ours.some((o) => o.id === session.id) ? session.id : null,
          busy: session !== undefined || this.supervisor.isReserved(d.deviceId) || !isAtRest(d.state),
        };
      }),
    };
  }

  /**
   * Measures the LOP with the cuff and stores it with its provenance: patient, device, site, cuff
   * width, posture, time, confidence. A search that finds no LOP stores nothing and answers 422.
   */
  async measureLop(
    deviceId: string,
    request: LopMeasurementRequest,
    principal: Principal,
  ): Promise<DeviceLopMeasurement> {
    const device = this.ownership.device(deviceId, principal.tenant);
    if (!device.channels.includes(request.channel)) {
      throw invalidFields('body', [
        { field: 'channel', detail: `is not a channel of cuff ${deviceId} (it has ${device.channels.join(', ')})` },
      ]);
    }
    const result = await this.supervisor.measureLop(deviceId, request.channel, request.posture);
    if (!result.found || result.lopMmHg === null) {
      const reason = result.reason ?? 'LOP_NOT_FOUND';
      throw new DomainError(
        ErrorCode.LopNotFound,
        `No LOP was found on the ${request.site.side} ${request.site.limb} with the ${request.cuffWidthCm} cm cuff: ${NOT_FOUND_REASONS[reason] ?? reason}. Nothing was stored.`,
        undefined,
        {
          extensions: { reason, searchCeilingMmHg: result.searchCeilingMmHg },
        },
      );
    }
    const record: LopMeasurementRecord = {
      id: randomUUID(),
      tenant: principal.tenant,
      patientRef: request.patientRef,
      deviceId,
      channel: request.channel,
      limb: request.site.limb,
      side: request.site.side,
      cuffWidthCm: request.cuffWidthCm,
      posture: request.posture,
      mmhg: result.lopMmHg,
      confidence: result.confidence,
      beatsUsed: result.beatsUsed,
      measuredAt: new Date(this.timers.now()),
      measuredBy: principal.subject,
    };
    await this.unitOfWork.run((manager) => manager.insert(LopMeasurementRecord, record), { resourceId: record.id });
    return toMeasurement(record);
  }
}

function toMeasurement(record: LopMeasurementRecord): DeviceLopMeasurement {
  return {
    id: record.id,
    patientRef: record.patientRef,
    deviceId: record.deviceId,
    channel: record.channel as DeviceLopMeasurement['channel'],
    site: {
      limb: record.limb as DeviceLopMeasurement['site']['limb'],
      side: record.side as DeviceLopMeasurement['site']['side'],
    },
    cuffWidthCm: record.cuffWidthCm,
    posture: record.posture as DeviceLopMeasurement['posture'],
    mmHg: record.mmhg,
    method: 'device',
    confidence: record.confidence,
    beatsUsed: record.beatsUsed,
    measuredAt: record.measuredAt.toISOString(),
    measuredBy: record.measuredBy,
    lop: {
      mmHg: record.mmhg,
      method: 'automatic-cuff',
      position: record.posture as DeviceLopMeasurement['posture'],
      cuffWidthCm: record.cuffWidthCm,
      measuredOn: record.measuredAt.toISOString().slice(0, 10),
      device: `cuff ${record.deviceId} channel ${record.channel}, measurement ${record.id}`,
    },
  };
}
