import underPressure from '@fastify/under-pressure';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AppConfig } from '../config/config';
import { DomainError, ErrorCode } from './problem';
import { sendProblem } from './problem.filter';

/** Seconds a shed client is asked to wait; long enough for a queue to drain, short for a clinician. */
export const SHED_RETRY_AFTER_SECONDS = 2;
/** How often the event loop delay is sampled: a saturated loop is noticed within this. */
const SAMPLE_INTERVAL_MS = 250;

declare module 'fastify' {
  interface FastifyRequest {
    /** Answered 503 at the door: nothing was done, so nothing is recorded. */
    shed?: boolean;
  }
}

function shed(request: FastifyRequest, reply: FastifyReply, config: AppConfig, cause: string): FastifyReply {
  request.shed = true;
  void reply.header('retry-after', String(SHED_RETRY_AFTER_SECONDS));
  return sendProblem(
    new DomainError(ErrorCode.ServiceUnavailable, `The service is overloaded (${cause}); nothing was done. Retry after ${SHED_RETRY_AFTER_SECONDS} seconds.`),
    request,
    reply,
    config,
  );
}

const isHealth = (request: FastifyRequest) => request.url === '/health' || request.url.startsWith('/health?');

/**
 * Sheds load instead of queueing it: when the event loop falls behind or too many units of work
 * wait for the database (the SQLite gate, the PostgreSQL pool), a new request is answered 503 with Retry-After at once, so that
 * the requests already admitted finish in time. /health is always answered.
 */
export async function registerLoadShedding(app: NestFastifyApplication, config: AppConfig, databaseQueue: () => number): Promise<void> {
  const { eventLoopDelayMs, databaseQueue: maxQueued } = config.loadShedding;
  if (eventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: eventLoopDelayMs,
      sampleInterval: SAMPLE_INTERVAL_MS,
      pressureHandler: (request, reply) => {
        if (!isHealth(request)) {
          shed(request, reply, config, 'the event loop is behind');
        }
      },
    });
  }
  if (maxQueued > 0) {
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request, reply) => {
        if (databaseQueue() >= maxQueued && !isHealth(request)) {
          return shed(request, reply, config, 'too many writes are waiting for the database');
        }
        return undefined;
      });
  }
}
