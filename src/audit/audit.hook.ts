import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { AppConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import { problemDocument } from '../common/problem.filter';
import type { AuditOutcome } from './audit-chain';
import type { AuditTrail } from './audit-trail.service';

const DENIED = new Set([401, 403, 429]);

function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'success' : DENIED.has(status) ? 'denied' : 'failed';
}

/** Every API request is audited, and every denial anywhere; docs, health and problem pages are not. */
function isAudited(request: FastifyRequest, status: number): boolean {
  return request.url.startsWith('/v1/') || DENIED.has(status);
}

function resourceIdOf(request: FastifyRequest): string | null {
  const id = (request.params as Record<string, unknown> | undefined)?.id;
  return typeof id === 'string' ? id.slice(0, 200) : null;
}

/**
 * Records each audited request before its answer leaves. If the record cannot be written the
 * answer is withheld and replaced by a 503: nothing is disclosed that the trail does not show.
 */
export function registerAuditHook(fastify: FastifyInstance, audit: AuditTrail, config: AppConfig): void {
  const logger = new Logger('AuditTrail');
  fastify.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    if (!isAudited(request, status)) {
      return payload;
    }
    const principal = request.principal;
    try {
      await audit.record({
        actor: principal?.subject ?? null,
        tenant: principal?.tenant ?? null,
        roles: principal?.roles ?? [],
        action: `${request.method} ${request.routeOptions.url ?? '(no such route)'}`,
        resourceId: resourceIdOf(request),
        outcome: outcomeOf(status),
        status,
        requestId: String(request.id),
      });
      return payload;
    } catch (error) {
      logger.error({ err: error, requestId: request.id }, 'audit record could not be written; answer withheld');
      const problem = problemDocument(
        new DomainError(ErrorCode.ServiceUnavailable, 'The request could not be recorded in the audit trail, so its answer is withheld. Try again later.'),
        request,
        config,
      );
      void reply.code(problem.status).header('content-type', 'application/problem+json; charset=utf-8');
      return JSON.stringify(problem);
    }
  });
}
