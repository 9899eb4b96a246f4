import { AsyncLocalStorage } from 'node:async_hooks';

import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';

import { auditEntryOf, isAudited } from '../audit/audit.hook';
import type { ChainedAuditRecord } from '../audit/audit-chain';
import { type AuditEntry, AuditTrail } from '../audit/audit-trail.service';
import type { GroupEndSlot } from './connection-gate';
import { connectionGateOf } from './data-source';
import { insertRows } from './insert-rows';

interface RequestScope {
  request: FastifyRequest;
  /** The status the route answers when it succeeds (201 for a create unless it says otherwise). */
  successStatus: number;
  /** A unit of work has taken the request's record on; the next one does not append it again. */
  recording?: boolean;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/** Makes the request being handled known to the units of work it runs. */
@Injectable()
export class RequestScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    const successStatus = declared ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    // Nest runs the handler in the async context in which handle() is called.
    return requestScope.run({ request, successStatus }, () => next.handle());
  }
}

/**
 * One transaction holding a request's writes and the audit record of that request, so that an
 * answer is sent only after both are committed and a refused request leaves neither. Every write
 * path of a request uses it; on SQLite the transaction waits its turn at the connection gate.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {
    // On SQLite the records of a group commit's units are appended at its end, in one go.
    connectionGateOf(dataSource)?.onGroupEnd((entries) =>
      this.audit.recordAllWithin(dataSource.manager, entries as AuditEntry[]),
    );
  }

  /**
   * Runs `work` in a transaction. The first unit of work of an audited request also appends the
   * request's record, as if it had succeeded; `resourceId` names what it acted on when the path does not.
   */
  async run<T>(work: (manager: EntityManager) => Promise<T>, audited: { resourceId?: string | null } = {}): Promise<T> {
    const scope = requestScope.getStore();
    const request = scope?.request;
    const recordsRequest = request !== undefined && !scope!.recording && isAudited(request, scope!.successStatus);
    if (recordsRequest) {
      scope!.recording = true;
    }
    // A unit of a SQLite group commit leaves its audit record for the group's end (same transaction,
    // written with the group's other records in one go); a nested or PostgreSQL one writes it here.
    const gate = connectionGateOf(this.dataSource);
    const ownUnit = gate !== undefined && !gate.holds();
    let record: ChainedAuditRecord | undefined;
    let leftForGroupEnd: GroupEndSlot | undefined;
    const result = await this.dataSource
      .transaction(async (manager) => {
        const done = await work(manager);
        if (recordsRequest) {
          if (audited.resourceId !== undefined) {
            request.auditedAs = { ...request.auditedAs, resourceId: audited.resourceId };
          }
          const entry = auditEntryOf(request, scope!.successStatus);
          leftForGroupEnd = ownUnit ? gate.leaveForGroupEnd(entry) : undefined;
          if (!leftForGroupEnd) {
            record = await this.audit.recordWithin(manager, entry);
          }
        }
        return done;
      })
      .catch((error: unknown) => {
        if (recordsRequest) {
          scope!.recording = false;
        }
        throw error;
      });
    record ??= leftForGroupEnd?.result as ChainedAuditRecord | undefined;
    if (record) {
      this.audit.committed(record);
      request!.auditedWithStatus = scope!.successStatus;
    }
    return result;
  }

  /**
   * Inserts `rows` in one statement as a unit of work, as `run` with `insertRows` does. On SQLite, outside another
   * unit of work, the insert is the unit's one statement (the request's record is made before it
   * and left for the group's end), so it needs no savepoint of its own.
   */
  async insert<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    rows: readonly T[],
    audited: { resourceId?: string | null } = {},
  ): Promise<void> {
    const gate = connectionGateOf(this.dataSource);
    if (gate === undefined || gate.holds()) {
      return this.run((manager) => insertRows(manager, entity, rows), audited);
    }
    const scope = requestScope.getStore();
    const request = scope?.request;
    const recordsRequest = request !== undefined && !scope!.recording && isAudited(request, scope!.successStatus);
    const auditedAsBefore = request?.auditedAs;
    let entry: AuditEntry | undefined;
    if (recordsRequest) {
      scope!.recording = true;
      if (audited.resourceId !== undefined) {
        request.auditedAs = { ...request.auditedAs, resourceId: audited.resourceId };
      }
      entry = auditEntryOf(request, scope!.successStatus);
    }
    let leftForGroupEnd: GroupEndSlot | undefined;
    let inserted = false;
    try {
      await gate.groupedStatement(async () => {
        // Left before the insert: the group's end writes it only if the unit succeeds.
        leftForGroupEnd = entry && gate.leaveForGroupEnd(entry);
        if (entry && !leftForGroupEnd) {
          throw new Error("The request's audit record has no group end to be written at.");
        }
        await insertRows(this.dataSource.manager, entity, rows);
        inserted = true;
      });
    } catch (error) {
      if (recordsRequest) {
        scope!.recording = false;
        // As with `run`: a request whose write failed names no record it acted on.
        if (!inserted) {
          request.auditedAs = auditedAsBefore;
        }
      }
      throw error;
    }
    const record = leftForGroupEnd?.result as ChainedAuditRecord | undefined;
    if (record) {
      this.audit.committed(record);
      request!.auditedWithStatus = scope!.successStatus;
    }
  }
}
