import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import type { Principal } from '../auth/principal';
import { DomainError, ErrorCode } from '../common/problem';
import { invalidFields } from '../common/validation.pipe';
import { PrescriptionsService } from '../prescription/prescriptions.service';
import { type CuffProgram, programSha256 } from '../device-adapter/cuff-program';
import type { Timers } from '../device-adapter/timers';
import { CUFF_TRANSPORT, type CuffTransport } from '../device-adapter/cuff-transport';
import { checkProgram, programRefusal } from './check-program';
import { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import { DeviceSessionEventRecord } from './device-session-event.entity';
import { DeviceSessionSetRecord } from './device-session-set.entity';
import { DeviceSessionRecord, type PressureBasis } from './device-session.entity';
import type { DeviceSession, DeviceSessionRequest } from './device-session.schema';
import {
  blockInflationLimitS,
  type CuffBinding,
  pressureBasisFor,
  programFromPlan,
  sessionExercises,
} from './program-from-plan';
import { TIMERS } from '../device-adapter/device-adapter.module';
import { SessionJournal } from './session-journal';
import { SessionSupervisor } from './session-supervisor';
import { CuffLeases } from './cuff-leases';
import { CuffOwnership } from './cuff-ownership';
import { relayedStream } from './relayed-stream';
import { runCommand, SessionCommandInbox, type SessionCommand } from './session-command-inbox';
import type { LiveUpdate, SessionSummary } from './session-types';

export type { SessionCommand } from './session-command-inbox';

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const emptySummary = (program: CuffProgram, summary: SessionSummary | null): SessionSummary =>
  summary ?? {
    bandMmHg: program.limits.windowMmHg,
    prescribedAtTargetS: 0,
    atTargetS: 0,
    inBandS: 0,
    adherence: 0,
    channels: [],
  };

/**
 * Device sessions at the edge: turns an approved plan into a program, checks it, has the cuff
 * load it and supervises it; reads a session back with the pressure it held, its log, alarms and
 * adherence. Sessions belong to the organization of the plan.
 */
@Injectable()
export class DeviceSessionsService implements OnModuleDestroy {
  constructor(
    private readonly prescriptions: PrescriptionsService,
    private readonly supervisor: SessionSupervisor,
    private readonly ownership: CuffOwnership,
    private readonly journal: SessionJournal,
    private readonly leases: CuffLeases,
    private readonly inbox: SessionCommandInbox,
    @Inject(TIMERS) private readonly timers: Timers,
    @Inject(CUFF_TRANSPORT) private readonly transport: CuffTransport,
    @InjectRepository(DeviceSessionRecord) private readonly sessions: Repository<DeviceSessionRecord>,
    @InjectRepository(DeviceSessionEventRecord) private readonly events: Repository<DeviceSessionEventRecord>,
    @InjectRepository(DeviceSessionAlarmRecord) private readonly alarms: Repository<DeviceSessionAlarmRecord>,
    @InjectRepository(DeviceSessionSetRecord) private readonly sets: Repository<DeviceSessionSetRecord>,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.supervisor.stopAll('The service stopped; the cuff was deflated.');
  }

  /**
   * Pushes an approved plan to a cuff: the program is made from the plan, checked against the
   * cuff's limits and the safety envelope, loaded on the cuff (after a self-test when due) and
   * supervised from then on. Every refusal leaves nothing stored and the cuff deflated.
   */
  async create(prescriptionId: string, request: DeviceSessionRequest, principal: Principal): Promise<DeviceSession> {
    const prescription = await this.prescriptions.find(prescriptionId, principal);
    if (prescription.status !== 'approved') {
      throw new DomainError(
        ErrorCode.PrescriptionStateConflict,
        `Only an approved plan can be sent to a cuff; this version is ${prescription.status}.`,
      );
    }
    const device = this.ownership.device(request.deviceId, principal.tenant);
    const missing = request.cuffs.flatMap((c, i) =>
      device.channels.includes(c.channel)
        ? []
        : [
            {
              field: `cuffs.${i}.channel`,
              detail: `is not a channel of cuff ${device.deviceId} (it has ${device.channels.join(', ')})`,
            },
          ],
    );
    if (missing.length > 0) {
      throw invalidFields('body', missing);
    }
    const id = randomUUID();
    const release = await this.supervisor.reserve(device.deviceId, 'preparing a session', id);
    try {
      // A session that just ended may still be being written; its outcome decides the pressures.
      await this.journal.idle();
      const completedSessions = await this.sessions.countBy({ seriesId: prescription.seriesId, status: 'completed' });
      const pressureBasis: PressureBasis = pressureBasisFor(prescription, completedSessions);
      const bindings: CuffBinding[] = request.cuffs;
      const program = programFromPlan(prescription, {
        programId: `prg-${id}`,
        bindings,
        pressureBasis,
        completedSessions,
      });
      const breaches = checkProgram(program, this.timers.now());
      if (breaches.length > 0) {
        throw programRefusal(breaches);
      }
      const createdAtMs = this.timers.now();
      const log = await this.supervisor.prepare(
        device.deviceId,
        program,
        principal.subject,
        () => this.timers.now() - createdAtMs,
      );
      const record: DeviceSessionRecord = {
        id,
        tenant: principal.tenant,
        prescriptionId: prescription.id,
        seriesId: prescription.seriesId,
        patientRef: prescription.patientRef,
        deviceId: device.deviceId,
        status: 'loaded',
        pressureBasis,
        bindings: JSON.stringify(bindings),
        program: JSON.stringify(program),
        programSha256: programSha256(program),
        deviceState: 'PROGRAM_LOADED',
        createdBy: principal.subject,
        createdAt: new Date(createdAtMs),
        startedAt: null,
        endedAt: null,
        endReason: null,
        summary: JSON.stringify(emptySummary(program, null)),
        trace: '{}',
      };
      try {
        await this.journal.open(record, log);
      } catch (error) {
        void this.supervisor.send(device.deviceId, { type: 'ABORT', body: {} }).catch(() => undefined);
        throw error;
      }
      this.supervisor.supervise({
        sessionId: id,
        deviceId: device.deviceId,
        program,
        blockLimitsS: sessionExercises(prescription, pressureBasis).map(blockInflationLimitS),
        createdAtMs,
      });
      return this.find(id, principal);
    } finally {
      release();
    }
  }

  async find(id: string, principal: Principal): Promise<DeviceSession> {
    await this.record(id, principal);
    await this.journal.flushed(id);
    const [record, events, alarms, sets] = await Promise.all([
      this.sessions.findOneByOrFail({ id }),
      this.events.find({ where: { sessionId: id }, order: { seq: 'ASC' } }),
      this.alarms.find({ where: { sessionId: id }, order: { seq: 'ASC' } }),
      this.sets.find({ where: { sessionId: id }, order: { startedMs: 'ASC' } }),
    ]);
    const program = JSON.parse(record.program) as CuffProgram;
    const live = this.supervisor.session(id);
    return {
      id: record.id,
      prescriptionId: record.prescriptionId,
      patientRef: record.patientRef,
      deviceId: record.deviceId,
      status: live?.status ?? record.status,
      pressureBasis: record.pressureBasis,
      cuffs: JSON.parse(record.bindings),
      program,
      programSha256: record.programSha256,
      deviceState: (live?.deviceState ?? record.deviceState) as DeviceSession['deviceState'],
      createdAt: record.createdAt.toISOString(),
      createdBy: record.createdBy,
      startedAt: record.startedAt?.toISOString() ?? null,
      endedAt: record.endedAt?.toISOString() ?? null,
      endReason: record.endReason,
      adherence: live ? live.summary() : emptySummary(program, JSON.parse(record.summary)),
      sets: sets.map((s) => ({
        blockIndex: s.blockIndex,
        exerciseId: program.blocks[s.blockIndex]?.exerciseId ?? '',
        setIndex: s.setIndex,
        phase: s.phase,
        channel: s.channel,
        targetMmHg: s.targetMmHg,
        bandMmHg: s.windowMmHg,
        startedS: seconds(s.startedMs),
        endedS: seconds(s.endedMs),
        minMmHg: s.minMmHg,
        meanMmHg: s.meanMmHg,
        maxMmHg: s.maxMmHg,
        observedS: seconds(s.observedMs),
        inBandS: seconds(s.inBandMs),
        inBandShare: s.observedMs > 0 ? Math.round((s.inBandMs / s.observedMs) * 1000) / 1000 : 0,
      })),
      events: events.map((e) => ({
        seq: e.seq,
        at: e.at.toISOString(),
        elapsedS: seconds(e.elapsedMs),
        kind: e.kind,
        actor: e.actor,
        summary: e.summary,
        detail: JSON.parse(e.detail),
      })),
      alarms: alarms.map((a) => ({
        seq: a.seq,
        at: a.at.toISOString(),
        elapsedS: seconds(a.elapsedMs),
        code: a.code,
        source: a.source,
        action: a.action,
        channel: a.channel,
        message: a.message,
      })),
      trace: { bucketS: 1, channels: live ? live.traceSoFar() : JSON.parse(record.trace) },
    };
  }

  /**
   * A command of the clinician on a supervised session; the session as it is afterwards. A
   * session supervised by another replica gets the command through the database.
   */
  async command(id: string, command: SessionCommand, principal: Principal, reason?: string): Promise<DeviceSession> {
    await this.record(id, principal);
    const live = this.supervisor.session(id);
    if (live) {
      await runCommand(live, command, principal.subject, reason);
      return this.find(id, principal);
    }
    const lease = await this.leases.ofSession(id);
    if (lease && lease.holder !== this.leases.replicaId) {
      await this.inbox.forward(id, command, principal.subject, reason);
      return this.find(id, principal);
    }
    await this.journal.flushed(id);
    const record = await this.sessions.findOneOrFail({ where: { id }, select: ['id', 'status'] });
    throw new DomainError(
      ErrorCode.DeviceSessionStateConflict,
      ['completed', 'aborted'].includes(record.status)
        ? `The session is ${record.status}; it takes no more commands.`
        : `The session is ${record.status} but no instance of the service supervises it now; another takes it over within seconds, deflates the cuff and ends it.`,
    );
  }

  /**
   * The session's live stream as server-sent events: every telemetry sample (10 Hz) with the set
   * point and whether it is in band, status changes, alarms and cuff events; it ends with the
   * session. A session that is not live gets its status and the stream ends.
   */
  async stream(id: string, principal: Principal): Promise<Readable> {
    await this.record(id, principal);
    const live = this.supervisor.session(id);
    const frame = (update: LiveUpdate) => `event: ${update.type}\ndata: ${JSON.stringify(update)}\n\n`;
    const now = new Date(this.timers.now()).toISOString();
    if (!live || !live.isActive) {
      await this.journal.flushed(id);
      const lease = await this.leases.ofSession(id);
      if (!live && lease && lease.holder !== this.leases.replicaId) {
        const record = await this.sessions.findOneOrFail({ where: { id } });
        return relayedStream({
          transport: this.transport,
          sessions: this.sessions,
          alarms: this.alarms,
          record,
          timers: this.timers,
        });
      }
      const record = await this.sessions.findOneOrFail({ where: { id }, select: ['id', 'status', 'endReason'] });
      return Readable.from([frame({ type: 'status', at: now, status: record.status, reason: record.endReason })]);
    }
    const stream = new Readable({ read: () => undefined });
    stream.push(frame({ type: 'status', at: now, status: live.status, reason: null }));
    const subscription = live.updates$.subscribe({
      next: (update) => stream.push(frame(update)),
      complete: () => stream.push(null),
    });
    stream.on('close', () => subscription.unsubscribe());
    return stream;
  }

  /** A session of the caller's organization; another organization's is answered as unknown, so its existence is not revealed. */
  private async record(id: string, principal: Principal): Promise<DeviceSessionRecord> {
    const record = await this.sessions.findOne({ where: { id }, select: ['id', 'tenant', 'status'] });
    if (!record || record.tenant !== principal.tenant) {
      throw new DomainError(ErrorCode.DeviceSessionNotFound, `No device session with id ${id}.`);
    }
    return record;
  }
}
