import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, In, LessThan, Repository } from 'typeorm';

import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError, ErrorCode } from '../common/problem';
import { invalidFields } from '../common/field-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { RuleCatalogue } from '../rules/catalogue';
import { generatePlan } from './generate-plan';
import { PlanTraces, traceSha256 } from './plan-traces.service';
import type { Plan } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';
import { PrescriptionRecord, type PrescriptionStatus } from './prescription-record.entity';
import type {
  ApprovalRequest,
  CancellationRequest,
  Prescription,
  PrescriptionListQuery,
  PrescriptionPage,
  PrescriptionSummary,
} from './prescription.schema';

/** `plan` is the record's plan when the caller has it in memory, saving the parse of its JSON. */
function toPrescription(record: PrescriptionRecord, plan?: Plan): Prescription {
  return {
    id: record.id,
    seriesId: record.seriesId,
    version: record.version,
    previousVersionId: record.previousId,
    supersededBy: record.supersededBy,
    status: record.status,
    patientRef: record.patientRef,
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    approval:
      record.approvedBy && record.approvedAt
        ? {
            by: record.approvedBy,
            at: record.approvedAt.toISOString(),
            acknowledgements: JSON.parse(record.acknowledgements ?? '[]'),
            contact: record.contact ? JSON.parse(record.contact) : null,
          }
        : null,
    cancellation:
      record.cancelledBy && record.cancelledAt
        ? { by: record.cancelledBy, at: record.cancelledAt.toISOString(), reason: record.cancelReason ?? '' }
        : null,
    plan: plan ?? (JSON.parse(record.plan) as Plan),
  };
}

function toSummary(record: PrescriptionRecord): PrescriptionSummary {
  return {
    id: record.id,
    seriesId: record.seriesId,
    version: record.version,
    status: record.status,
    patientRef: record.patientRef,
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    condition: record.condition,
    phase: record.phase,
    rulesetVersion: record.rulesetVersion,
  };
}

/** Keyset cursor over (created_at, id), newest first; opaque to clients. */
const encodeCursor = (record: PrescriptionRecord) =>
  Buffer.from(`${record.createdAt.toISOString()}|${record.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) {
    throw invalidFields('query', [{ field: 'cursor', detail: 'is not a cursor this service gave out' }]);
  }
  return { createdAt, id };
}

const conflict = (detail: string) => new DomainError(ErrorCode.PrescriptionStateConflict, detail);

@Injectable()
export class PrescriptionsService {
  constructor(
    private readonly catalogue: RuleCatalogue,
    @InjectRepository(PrescriptionRecord) private readonly prescriptions: Repository<PrescriptionRecord>,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
    private readonly traces: PlanTraces,
  ) {}

  /** Screens, plans and stores a draft; every refusal leaves nothing stored. */
  async create(request: PrescriptionRequest, principal: Principal): Promise<Prescription> {
    const id = randomUUID();
    return this.store(request, principal, { id, seriesId: id, version: 1, previousId: null });
  }

  /** A new draft version of the latest version of a plan; the old one stays as it is until the new one is approved. */
  async revise(id: string, request: PrescriptionRequest, principal: Principal): Promise<Prescription> {
    const current = await this.record(id, principal);
    if (request.patient.ref !== current.patientRef) {
      throw invalidFields('body', [
        { field: 'patient.ref', detail: `must be ${current.patientRef}: a revision is for the same patient` },
      ]);
    }
    await this.requireLatest(current);
    if (current.status === 'cancelled' || current.status === 'superseded') {
      throw conflict(`This plan is ${current.status}; it cannot be revised.`);
    }
    return this.store(request, principal, {
      id: randomUUID(),
      seriesId: current.seriesId,
      version: current.version + 1,
      previousId: current.id,
    });
  }

  async find(id: string, principal: Principal): Promise<Prescription> {
    return toPrescription(await this.record(id, principal));
  }

  async trace(id: string, principal: Principal) {
    const record = await this.record(id, principal);
    return {
      id: record.id,
      rulesetVersion: record.rulesetVersion,
      generatedOn: record.generatedOn,
      trace: JSON.parse(await this.traces.traceOf(record)) as Record<string, unknown>,
    };
  }

  async list(query: PrescriptionListQuery, principal: Principal): Promise<PrescriptionPage> {
    const base: FindOptionsWhere<PrescriptionRecord> = query.patient
      ? { tenant: principal.tenant, patientRef: query.patient }
      : { tenant: principal.tenant };
    let where: FindOptionsWhere<PrescriptionRecord>[] = [base];
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      const at = new Date(after.createdAt);
      where = [
        { ...base, createdAt: LessThan(at) },
        { ...base, createdAt: at, id: LessThan(after.id) },
      ];
    }
    const records = await this.prescriptions.find({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit + 1,
      select: [
        'id',
        'seriesId',
        'version',
        'status',
        'patientRef',
        'createdAt',
        'createdBy',
        'condition',
        'phase',
        'rulesetVersion',
      ],
    });
    const page = records.slice(0, query.limit);
    return {
      items: page.map(toSummary),
      nextCursor: records.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  /**
   * Signs a draft. Every caution must be acknowledged by id; approving makes the version immutable
   * and supersedes the approved or draft versions before it, in one transaction.
   */
  async approve(id: string, approval: ApprovalRequest, principal: Principal): Promise<Prescription> {
    const record = await this.record(id, principal);
    if (record.status !== 'draft') {
      throw conflict(`Only a draft can be approved; this version is ${record.status}.`);
    }
    await this.requireLatest(record);
    const plan = JSON.parse(record.plan) as Plan;
    const cautions = plan.cautions.map((c) => c.id);
    const acknowledged = approval.acknowledgements.map((a) => a.caution);
    const missing = cautions.filter((c) => !acknowledged.includes(c));
    const unknown = acknowledged.filter((a) => !cautions.includes(a));
    if (missing.length > 0 || unknown.length > 0) {
      throw new DomainError(
        ErrorCode.AcknowledgementRequired,
        [
          missing.length > 0
            ? `Acknowledge every caution before approving; not acknowledged: ${missing.join(', ')}.`
            : '',
          unknown.length > 0 ? `Not cautions of this plan: ${unknown.join(', ')}.` : '',
        ]
          .filter(Boolean)
          .join(' '),
        undefined,
        { extensions: { missing, unknown } },
      );
    }
    // A signed plan keeps its explanation whatever later versions of the code would make of it:
    // the trace, made again and checked against its hash, is stored with the signature.
    const trace = await this.traces.traceOf(record);
    const now = this.clock.now();
    await this.unitOfWork.run(async (manager) => {
      const signed = await manager.update(
        PrescriptionRecord,
        { id, status: 'draft' },
        {
          status: 'approved',
          trace,
          approvedBy: principal.subject,
          approvedAt: now,
          acknowledgements: JSON.stringify(approval.acknowledgements),
          contact: approval.contact ? JSON.stringify(approval.contact) : null,
        },
      );
      if (signed.affected !== 1) {
        throw conflict('This version changed while it was being approved; read it again.');
      }
      await manager.update(
        PrescriptionRecord,
        {
          seriesId: record.seriesId,
          version: LessThan(record.version),
          status: In<PrescriptionStatus>(['draft', 'approved']),
        },
        { status: 'superseded', supersededBy: id },
      );
    });
    return this.find(id, principal);
  }

  async cancel(id: string, cancellation: CancellationRequest, principal: Principal): Promise<Prescription> {
    const record = await this.record(id, principal);
    if (record.status !== 'draft' && record.status !== 'approved') {
      throw conflict(`This version is ${record.status}; it cannot be cancelled.`);
    }
    const result = await this.unitOfWork.run((manager) =>
      manager.update(
        PrescriptionRecord,
        { id, status: record.status },
        {
          status: 'cancelled',
          cancelledBy: principal.subject,
          cancelledAt: this.clock.now(),
          cancelReason: cancellation.reason,
        },
      ),
    );
    if (result.affected !== 1) {
      throw conflict('This version changed while it was being cancelled; read it again.');
    }
    return this.find(id, principal);
  }

  private async store(
    request: PrescriptionRequest,
    principal: Principal,
    version: Pick<PrescriptionRecord, 'id' | 'seriesId' | 'version' | 'previousId'>,
  ): Promise<Prescription> {
    const now = this.clock.now();
    const generatedOn = now.toISOString().slice(0, 10);
    const { plan, trace } = await generatePlan(this.catalogue, request, generatedOn);
    // The trace (some 110 kB) is made again when it is read; the plan (some 41 kB) is answered as made.
    const record: PrescriptionRecord = {
      ...version,
      tenant: principal.tenant,
      patientRef: request.patient.ref,
      status: 'draft',
      createdBy: principal.subject,
      createdAt: now,
      generatedOn,
      rulesetVersion: plan.rulesetVersion,
      condition: plan.indication.condition,
      phase: plan.phase.id,
      request: JSON.stringify(request),
      plan: JSON.stringify(plan),
      trace: '',
      traceSha256: traceSha256(trace),
      approvedBy: null,
      approvedAt: null,
      acknowledgements: null,
      contact: null,
      cancelledBy: null,
      cancelledAt: null,
      cancelReason: null,
      supersededBy: null,
    };
    try {
      await this.unitOfWork.insert(PrescriptionRecord, [record], { resourceId: record.id });
    } catch (error) {
      if (version.previousId && /unique|duplicate/i.test((error as Error).message)) {
        throw conflict(
          'Another revision of this plan was made at the same time; read the latest version and revise that.',
        );
      }
      throw error;
    }
    return toPrescription(record, plan);
  }

  private async requireLatest(record: PrescriptionRecord): Promise<void> {
    const newer = await this.prescriptions.findOne({
      where: { seriesId: record.seriesId, version: record.version + 1 },
      select: ['id'],
    });
    if (newer) {
      throw conflict(
        `Version ${record.version + 1} (${newer.id}) already revises this version; work on the latest version.`,
      );
    }
  }

  /** A version of the caller's organization; another organization's is answered as unknown, so its existence is not revealed. */
  private async record(id: string, principal: Principal): Promise<PrescriptionRecord> {
    const record = await this.prescriptions.findOneBy({ id });
    if (!record || record.tenant !== principal.tenant) {
      throw new DomainError(ErrorCode.PrescriptionNotFound, `No prescription with id ${id}.`);
    }
    return record;
  }
}
