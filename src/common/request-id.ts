import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { FastifyRequest } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Every request gets an id the service makes, so no caller can choose or repeat the id of an
 * audit record; the caller's own x-request-id is kept apart (see `callerRequestId`).
 */
export function serviceRequestId(raw: IncomingMessage): string {
  const id = randomUUID();
  // pino-http reads the id from the raw request, so logs and problem documents agree.
  raw.id = id;
  return id;
}

/** The caller's x-request-id, when it is safe to echo, record and log; otherwise none. */
export function callerRequestId(request: FastifyRequest): string | undefined {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : undefined;
}
