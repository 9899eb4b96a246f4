import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { callerRequestId } from '../common/request-id';
import type { AppConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import { problemDocument } from '../common/problem.filter';
import type { AuditOutcome } from './audit-chain';
import type { AuditEntry, AuditTrail } from './audit-trail.service';

const DENIED = new Set([401, 403, 429]);
const MAX_LENGTH = 200;

/**
 * How a request is recorded when the bearer-token principal and the route do not say it all. A
 * guard that authenticates callers another way (an EHR's CDS Hooks JWT) sets `caller`, which also
 * puts the request on the trail; a route sets `action` and `resourceId` when its path does not name
 * what it acted on (the CDS service called, the patient it answered about).
 */
export interface AuditedAs {
  caller?: { actor: string; tenant: string | null };
  /** Method and what was called, e.g. `POST /cds-services/bfr-screening`. */
  action?: string;
  /** Null when the request acted on no one record. */
  resourceId?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auditedAs?: AuditedAs;
    /** The status already recorded in the transaction that holds the request's writes. */
    auditedWithStatus?: number;
  }
}

function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'success' : DENIED.has(status) ? 'denied' : 'failed';
}

/** Every API request is audited, every request of a caller authenticated otherwise, and every denial anywhere; docs, health, problem and rule pages, and requests shed under load, are not. */
export function isAudited(request: FastifyRequest, status: number): boolean {
  // A request shed at the door, or refused 503 because a resource (the database's connections) was
  // short for now, did nothing; recording it would add to the load, or wait on what was short.
  if (request.shed || status === 503) {
    return false;
  }
  return request.url.startsWith('/v1/') || request.auditedAs?.caller !== undefined || DENIED.has(status);
}

/** The id of the record a 201 answer created: the `id` of its JSON body. */
function createdId(status: number, payload: unknown): unknown {
  if (status !== 201 || typeof payload !== 'string' || !payload.startsWith('{')) {
    return undefined;
  }
  try {
    return (JSON.parse(payload) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

/** What the request acted on: what the route named, else the record it created, else the id in its path. */
function resourceIdOf(request: FastifyRequest, status: number, payload: unknown): string | null {
  const named = request.auditedAs?.resourceId;
  const created = createdId(status, payload);
  const id =
    named !== undefined
      ? named
      : typeof created === 'string'
        ? created
        : (request.params as Record<string, unknown> | undefined)?.id;
  return typeof id === 'string' ? id.slice(0, MAX_LENGTH) : null;
}

/** Clipped, and never a NUL or a lone surrogate: a record that cannot be stored must not come from the caller's bytes. */
const UNSTORABLE = /[\0\uD800-\uDFFF]/gu;
const clipped = (value: string | null | undefined) =>
  value ? value.slice(0, MAX_LENGTH).replace(UNSTORABLE, '\uFFFD') : null;

/** What the trail says about a request that ended with `status` (and answered `payload`, once there is one). */
export function auditEntryOf(request: FastifyRequest, status: number, payload?: unknown): AuditEntry {
  const callers = callerRequestId(request);
  const principal = request.principal;
  const caller = request.auditedAs?.caller;
  return {
    actor: clipped(principal?.subject ?? caller?.actor),
    tenant: clipped(principal?.tenant ?? caller?.tenant),
    roles: principal?.roles ?? [],
    action: clipped(request.auditedAs?.action ?? `${request.method} ${request.routeOptions.url ?? '(no such route)'}`)!,
    resourceId: clipped(resourceIdOf(request, status, payload)),
    outcome: outcomeOf(status),
    status,
    requestId: String(request.id),
    ...(callers !== undefined ? { callerRequestId: callers } : {}),
  };
}

/**
 * Records each audited request before its answer leaves. If the record cannot be written the
 * answer is withheld and replaced by a 503: nothing is disclosed that the trail does not show.
 */
export function registerAuditHook(fastify: FastifyInstance, audit: AuditTrail, config: AppConfig): void {
  const logger = new Logger('AuditTrail');
  fastify.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    // A write's record was committed with the write itself (UnitOfWork); it is not written twice.
    if (!isAudited(request, status) || request.auditedWithStatus === status) {
      return payload;
    }
    try {
      await audit.record(auditEntryOf(request, status, payload));
      return payload;
    } catch (error) {
      logger.error({ err: error, requestId: request.id }, 'audit record could not be written; answer withheld');
      const problem = problemDocument(
        new DomainError(
          ErrorCode.ServiceUnavailable,
          'The request could not be recorded in the audit trail, so its answer is withheld. Try again later.',
        ),
        request,
        config,
      );
      void reply.code(problem.status).header('content-type', 'application/problem+json; charset=utf-8');
      return JSON.stringify(problem);
    }
  });
}
