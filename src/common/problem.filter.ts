import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { errorFormatFor, sendInOwnFormat } from './error-formats';
import { DomainError, ErrorCode, PROBLEM_TYPES, Problem, problemSlug, RETRY_AFTER_SECONDS } from './problem';

/** Fastify's own request errors, by code, with the problem each one is. */
const FASTIFY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.BadRequest,
};

const STATUS_CODES: Record<number, ErrorCode> = {
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.RouteNotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.TooManyRequests,
};

/**
 * node-postgres's refusal when no pooled connection came free in time (`connectionTimeoutMillis`):
 * the request's transaction never began, so nothing of it was applied and it may be sent again.
 */
const isPoolTimeout = (error: unknown): boolean =>
  error instanceof Error && error.message === 'timeout exceeded when trying to connect';

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The problem document for an error answered to this request. */
export function problemDocument(error: DomainError, request: FastifyRequest, config: AppConfig): Problem {
  const { status, title } = PROBLEM_TYPES[error.code];
  return {
    type: `${config.publicBaseUrl}/problems/${problemSlug(error.code)}`,
    title,
    status,
    detail: error.detail,
    instance: request.url.split('?')[0],
    code: error.code,
    requestId: String(request.id),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

/**
 * Answers a refused request: problem+json, or the route's own error format (OperationOutcome on the
 * CDS Hooks routes). Used by the exception filter and by the checks that run before a request reaches Nest.
 */
export function sendProblem(
  error: DomainError,
  request: FastifyRequest,
  reply: FastifyReply,
  config: AppConfig,
): FastifyReply {
  if (sendInOwnFormat(error, request.url, reply, String(request.id))) {
    return reply;
  }
  const problem = problemDocument(error, request, config);
  if (error.code === ErrorCode.Unauthenticated) {
    void reply.header('www-authenticate', 'Bearer realm="bfr-rx"');
  }
  return reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify(problem));
}

/**
 * The one place errors become responses: every failure leaves as RFC 9457 problem+json with a
 * stable `code`. Unexpected errors are logged with their stack and answered without it.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const format = errorFormatFor(request.url);
    // E.g. CDS Hooks clients are EHRs: they are answered in FHIR (OperationOutcome), not problem+json.
    const own = format?.ownError(exception) === true;
    const error = own ? undefined : this.toDomainError(exception);
    const status = error ? PROBLEM_TYPES[error.code].status : undefined;
    if (status === 503) {
      // Not a defect: the service is short of a resource for now, and says when to ask again.
      this.logger.warn({ err: exception, requestId: request.id }, 'request refused: SERVICE_UNAVAILABLE');
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    }
    const sent = format ? format.send(reply, error ?? exception, String(request.id)) : undefined;
    if ((sent ?? status ?? 0) >= 500 && status !== 503) {
      this.logger.error(
        { err: exception, requestId: request.id },
        `request failed: ${error?.code ?? 'in its own error format'}`,
      );
    }
    if (!format) {
      sendProblem(error!, request, reply, this.config);
    }
  }

  private toDomainError(exception: unknown): DomainError {
    if (exception instanceof DomainError) {
      return exception;
    }
    // The body parser refuses bad bytes and shapes with the field they are in.
    if (exception instanceof HttpException && exception.cause instanceof DomainError) {
      return exception.cause;
    }
    if (exception instanceof HttpException) {
      const fastifyCode = FASTIFY_ERRORS[errorCodeOf(exception.cause) ?? ''];
      if (fastifyCode) {
        return new DomainError(fastifyCode, exception.message, undefined, { cause: exception });
      }
      if (exception.cause instanceof SyntaxError) {
        return new DomainError(ErrorCode.MalformedJson, `The body is not valid JSON: ${exception.cause.message}`);
      }
      const status = exception.getStatus();
      if (status < 500) {
        return new DomainError(STATUS_CODES[status] ?? ErrorCode.BadRequest, exception.message, undefined, {
          cause: exception,
        });
      }
    }
    if (isPoolTimeout(exception)) {
      return new DomainError(
        ErrorCode.ServiceUnavailable,
        `Every database connection stayed busy too long; nothing was changed. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
        undefined,
        { cause: exception },
      );
    }
    return new DomainError(
      ErrorCode.InternalError,
      'The request could not be completed because of an unexpected error; nothing was changed.',
      undefined,
      { cause: exception },
    );
  }
}
