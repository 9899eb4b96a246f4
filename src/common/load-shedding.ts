import type { IncomingMessage } from 'node:http';

import underPressure from '@fastify/under-pressure';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AppConfig } from '../config/config';
import { AdmissionLimit } from './admission-limit';
import { DomainError, ErrorCode, RETRY_AFTER_SECONDS } from './problem';
import { sendProblem } from './problem.filter';

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
    this.logger.warn(
      { shed },
      `shed ${Object.values(shed).reduce((a, b) => a + b, 0)} requests with 503 in the last ${SHED_LOG_INTERVAL_MS / 1000} s`,
    );
  }
}

/**
 * Answers 503 "nothing was done". The answer is held back for a moment (`holdMs`): a client that
 * is refused at once asks again at once, and a burst of refusals answered as fast as they come
 * fills the event loop, so the requests already admitted, whose database round trips each wait for
 * a turn of that loop, are answered seconds late or not at all. Held, a refused connection costs
 * a timer until its answer is due.
 */
async function shed(
  request: FastifyRequest,
  reply: FastifyReply,
  config: AppConfig,
  cause: string,
  summary: ShedSummary,
): Promise<FastifyReply> {
  request.shed = true;
  shedRequests.add(request.raw);
  summary.note(cause);
  if (config.loadShedding.holdMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, config.loadShedding.holdMs));
  }
  void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return sendProblem(new DomainError(ErrorCode.ServiceUnavailable, shedDetail(cause)), request, reply, config);
}

const isHealth = (url: string) => url === '/health' || url.startsWith('/health?');

const shedDetail = (cause: string) =>
  `The service is overloaded (${cause}); nothing was done. Retry after ${RETRY_AFTER_SECONDS} seconds.`;

/**
 * Sheds load instead of queueing it: when too many requests are in progress, the event loop falls
 * behind or too many units of work wait for the database (the SQLite gate, the PostgreSQL pool), a
 * new request is answered 503 with Retry-After at once, so that the requests already admitted
 * finish in time. /health is always answered.
 */
export async function registerLoadShedding(
  app: NestFastifyApplication,
  config: AppConfig,
  databaseQueue: () => number,
): Promise<void> {
  const { eventLoopDelayMs, databaseQueue: maxQueued, inProgress: maxInProgress, targetMs } = config.loadShedding;
  const summary = new ShedSummary();
  const fastify = app.getHttpAdapter().getInstance();
  if (eventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: eventLoopDelayMs,
      sampleInterval: SAMPLE_INTERVAL_MS,
      // under-pressure lets the request go on once this settles. Settling on the reply itself (a
      // thenable that waits for the answer to be sent) makes Fastify see it answered and stop: an
      // early settle would let the route run, and store, behind a 503 that says nothing was done.
      pressureHandler: async (request, reply) =>
        isHealth(request.url) ? undefined : shed(request, reply, config, 'the event loop is behind', summary),
    });
  }
  // Requests admitted and not yet answered. The first requests of a burst arrive together, before
  // the event loop is measured behind or anything waits for the database: without this bound they
  // would all be admitted at once and every one of them answered late.
  let inProgress = 0;
  const limit = new AdmissionLimit(maxInProgress, targetMs);
  if (maxInProgress > 0 && targetMs > 0) {
    const adapting = setInterval(() => limit.adapt(), SAMPLE_INTERVAL_MS).unref();
    fastify.addHook('onClose', async () => clearInterval(adapting));
  }
  const overloaded = (): string | undefined =>
    maxInProgress > 0 && inProgress >= limit.current
      ? 'too many requests are in progress'
      : maxQueued > 0 && databaseQueue() >= maxQueued
        ? 'too many writes are waiting for the database'
        : eventLoopDelayMs > 0 && fastify.isUnderPressure()
          ? 'the event loop is behind'
          : undefined;
  fastify.addHook('onRequest', async (request, reply) => {
    if (isHealth(request.url)) {
      return undefined;
    }
    const cause = overloaded();
    if (cause) {
      return shed(request, reply, config, cause, summary);
    }
    inProgress += 1;
    const admittedAt = performance.now();
    let answered = false;
    request.answered = () => {
      if (!answered) {
        answered = true;
        inProgress -= 1;
        limit.answered(performance.now() - admittedAt);
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
