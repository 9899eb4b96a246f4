import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import underPressure from '@fastify/under-pressure';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AppConfig } from '../config/config';
import { errorFormatFor } from './error-formats';
import { DomainError, ErrorCode, PROBLEM_TYPES, problemSlug } from './problem';
import { sendProblem } from './problem.filter';

/** Seconds a shed client is asked to wait; long enough for a queue to drain, short for a clinician. */
export const SHED_RETRY_AFTER_SECONDS = 2;
/** How long the 503 of a request shed before routing is held back (see answerBeforeRouting). */
export const SHED_HOLD_MS = 500;
/** How often the event loop delay is sampled: a saturated loop is noticed within this. */
const SAMPLE_INTERVAL_MS = 250;

declare module 'fastify' {
  interface FastifyRequest {
    /** Answered 503 at the door: nothing was done, so nothing is recorded. */
    shed?: boolean;
    /** Frees the request's place among those in progress; called once its answer is ready. */
    answered?: () => void;
  }
}

/** Requests answered 503 at the door: pino-http leaves them out of the log, which sums them up instead. */
const shedRequests = new WeakSet<IncomingMessage>();

export const wasShed = (request: IncomingMessage): boolean => shedRequests.has(request);

/** How often, at most, the log says how many requests were shed: a flood must not become a flood of log lines. */
const SHED_LOG_INTERVAL_MS = 5000;

/** Counts shed requests and writes one warning per interval while shedding lasts. */
class ShedSummary {
  private readonly logger = new Logger('LoadShedding');
  private readonly counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  note(cause: string): void {
    this.counts.set(cause, (this.counts.get(cause) ?? 0) + 1);
    this.timer ??= setTimeout(() => this.flush(), SHED_LOG_INTERVAL_MS).unref();
  }

  private flush(): void {
    this.timer = undefined;
    const shed = Object.fromEntries(this.counts);
    this.counts.clear();
    this.logger.warn({ shed }, `shed ${Object.values(shed).reduce((a, b) => a + b, 0)} requests with 503 in the last ${SHED_LOG_INTERVAL_MS / 1000} s`);
  }
}

function shed(request: FastifyRequest, reply: FastifyReply, config: AppConfig, cause: string, summary: ShedSummary): FastifyReply {
  request.shed = true;
  shedRequests.add(request.raw);
  summary.note(cause);
  void reply.header('retry-after', String(SHED_RETRY_AFTER_SECONDS));
  return sendProblem(
    new DomainError(ErrorCode.ServiceUnavailable, shedDetail(cause)),
    request,
    reply,
    config,
  );
}

const isHealth = (url: string) => url === '/health' || url.startsWith('/health?');

const shedDetail = (cause: string) => `The service is overloaded (${cause}); nothing was done. Retry after ${SHED_RETRY_AFTER_SECONDS} seconds.`;

/**
 * Sheds load instead of queueing it: when too many requests are in progress, the event loop falls
 * behind or too many units of work wait for the database (the SQLite gate, the PostgreSQL pool), a
 * new request is answered 503 with Retry-After at once, so that the requests already admitted
 * finish in time. /health is always answered.
 */
export async function registerLoadShedding(app: NestFastifyApplication, config: AppConfig, databaseQueue: () => number): Promise<void> {
  const { eventLoopDelayMs, databaseQueue: maxQueued, inProgress: maxInProgress } = config.loadShedding;
  const summary = new ShedSummary();
  const fastify = app.getHttpAdapter().getInstance();
  if (eventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: eventLoopDelayMs,
      sampleInterval: SAMPLE_INTERVAL_MS,
      // under-pressure lets the request go on once this settles. Settling on the reply itself (a
      // thenable that waits for the answer to be sent) makes Fastify see it answered and stop: an
      // early settle would let the route run, and store, behind a 503 that says nothing was done.
      pressureHandler: async (request, reply) => (isHealth(request.url) ? undefined : shed(request, reply, config, 'the event loop is behind', summary)),
    });
  }
  // Requests admitted and not yet answered. The first requests of a burst arrive together, before
  // the event loop is measured behind or anything waits for the database: without this bound they
  // would all be admitted at once and every one of them answered late.
  let inProgress = 0;
  const overloaded = (): string | undefined =>
    maxInProgress > 0 && inProgress >= maxInProgress
      ? 'too many requests are in progress'
      : maxQueued > 0 && databaseQueue() >= maxQueued
        ? 'too many writes are waiting for the database'
        : eventLoopDelayMs > 0 && fastify.isUnderPressure()
          ? 'the event loop is behind'
          : undefined;
  answerBeforeRouting(fastify.server, overloaded, config, summary);
  fastify.addHook('onRequest', async (request, reply) => {
    if (isHealth(request.url)) {
      return undefined;
    }
    const cause = overloaded();
    if (cause) {
      return shed(request, reply, config, cause, summary);
    }
    inProgress += 1;
    let answered = false;
    request.answered = () => {
      if (!answered) {
        answered = true;
        inProgress -= 1;
      }
    };
    // A client that leaves before its answer frees its place too.
    reply.raw.once('close', request.answered);
    return undefined;
  });
  // The answer is ready (a stream of events counts as answered once it starts).
  fastify.addHook('onSend', async (request, _reply, payload) => {
    request.answered?.();
    return payload;
  });
}

/**
 * While the service is overloaded, answers 503 in the HTTP server itself, before Fastify, Nest,
 * the request log or any hook: a flood of requests that will be shed must cost the event loop as
 * little as possible, or the requests already admitted wait behind it for every database round
 * trip. The answer is the same problem document the hooks send. Routes with their own error format
 * (CDS Hooks: OperationOutcome) and /health go on to Fastify, which sheds them in their format.
 */
function answerBeforeRouting(server: Server, overloaded: () => string | undefined, config: AppConfig, summary: ShedSummary): void {
  const routes = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const cause = overloaded();
    if (!cause || isHealth(url) || errorFormatFor(url)) {
      for (const route of routes) {
        route.call(server, req, res);
      }
      return;
    }
    summary.note(cause);
    const requestId = randomUUID();
    const problem = {
      type: `${config.publicBaseUrl}/problems/${problemSlug(ErrorCode.ServiceUnavailable)}`,
      title: PROBLEM_TYPES[ErrorCode.ServiceUnavailable].title,
      status: 503,
      detail: shedDetail(cause),
      instance: url.split('?')[0],
      code: ErrorCode.ServiceUnavailable,
      requestId,
    };
    const body = JSON.stringify(problem);
    // Held a moment before it leaves: a client that ignores Retry-After and asks again at once on
    // the same connection can then send a few requests a second, not thousands. The request's
    // body is not read: Node discards it before the connection's next request.
    setTimeout(() => {
      if (!res.destroyed) {
        res.writeHead(503, { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': String(SHED_RETRY_AFTER_SECONDS), 'x-request-id': requestId, 'cache-control': 'no-store' });
        res.end(body);
      }
    }, SHED_HOLD_MS);
  });
}
