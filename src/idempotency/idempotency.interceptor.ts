import { createHash } from 'node:crypto';

import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, map, type Observable, of, switchMap, throwError } from 'rxjs';
import { DataSource, IsNull, QueryFailedError } from 'typeorm';

import { Clock } from '../common/clock';
import { DomainError, ErrorCode } from '../common/problem';
import { canonicalJson } from '../common/canonical-json';
import { IDEMPOTENT } from './idempotent.decorator';
import { IdempotencyRecord } from './idempotency-record.entity';

const KEY = /^[\x21-\x7e]{1,200}$/;
/**
 * A key still in flight after this long was left by a process that died mid-request (no request
 * runs this long): it is released, so a retry runs the request again instead of waiting forever.
 */
export const IN_FLIGHT_LIMIT_MS = 120_000;

/**
 * Makes creating requests safe to retry. The key is scoped to the caller (organization and
 * subject); the first request claims it, a retry with the same body gets the stored answer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnApplicationBootstrap {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** A SQLite file is served by one process: every key in flight at start-up was left by the one before, which died. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.dataSource.options.type === 'sqlite') {
      await this.dataSource.getRepository(IdempotencyRecord).delete({ responseStatus: IsNull() });
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler()) || header === undefined) {
      return next.handle();
    }
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        'The Idempotency-Key header must be 1 to 200 visible ASCII characters.',
        [{ in: 'header', field: 'idempotency-key', pointer: '', detail: 'must be 1 to 200 visible ASCII characters' }],
      );
    }
    const principal = request.principal;
    if (!principal) {
      throw new Error('an idempotent route must be authenticated');
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const id = { tenant: principal.tenant, subject: principal.subject, key: header };
    const claim = {
      ...id,
      action: `${request.method} ${request.routeOptions.url}`,
      requestHash: createHash('sha256')
        .update(canonicalJson(request.body ?? null))
        .digest('hex'),
    };
    const records = this.dataSource.getRepository(IdempotencyRecord);

    return from(this.claim(claim)).pipe(
      switchMap((stored) => {
        if (stored) {
          void reply.status(stored.status).header('idempotent-replayed', 'true');
          return of(stored.body);
        }
        return next.handle().pipe(
          switchMap((body) =>
            from(
              records.update(id, { responseStatus: reply.statusCode, responseBody: JSON.stringify(body ?? null) }),
            ).pipe(map(() => body)),
          ),
          // A failed request releases its key, so the client may retry it with the same key.
          catchError((error: unknown) => from(records.delete(id)).pipe(switchMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Claims the key, or returns the stored answer of the request that claimed it first. */
  private async claim(
    claim: Omit<IdempotencyRecord, 'responseStatus' | 'responseBody' | 'createdAt'>,
    releasedAbandoned = false,
  ): Promise<{ status: number; body: unknown } | undefined> {
    const records = this.dataSource.getRepository(IdempotencyRecord);
    try {
      await records.insert({ ...claim, responseStatus: null, responseBody: null, createdAt: this.clock.now() });
      return undefined;
    } catch (error) {
      if (!(error instanceof QueryFailedError)) {
        throw error;
      }
    }
    const first = await records.findOneBy({ tenant: claim.tenant, subject: claim.subject, key: claim.key });
    if (!first) {
      throw new DomainError(
        ErrorCode.IdempotencyInFlight,
        'The first request with this Idempotency-Key has just failed; retry.',
      );
    }
    if (first.action !== claim.action || first.requestHash !== claim.requestHash) {
      throw new DomainError(
        ErrorCode.IdempotencyKeyReused,
        'This Idempotency-Key was already used for a different request.',
      );
    }
    if (
      first.responseStatus === null &&
      !releasedAbandoned &&
      this.clock.now().getTime() - first.createdAt.getTime() > IN_FLIGHT_LIMIT_MS
    ) {
      await records.delete({
        tenant: claim.tenant,
        subject: claim.subject,
        key: claim.key,
        responseStatus: IsNull(),
        createdAt: first.createdAt,
      });
      return this.claim(claim, true);
    }
    if (first.responseStatus === null) {
      throw new DomainError(
        ErrorCode.IdempotencyInFlight,
        'The first request with this Idempotency-Key is still being processed.',
      );
    }
    return { status: first.responseStatus, body: JSON.parse(first.responseBody ?? 'null') };
  }
}
