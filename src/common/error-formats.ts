import type { FastifyReply } from 'fastify';

import type { DomainError } from './problem';

/**
 * A part of the API whose clients expect errors in a format of their own rather than problem+json
 * (CDS Hooks clients are EHRs and read FHIR OperationOutcome). The part registers its format; the
 * problem filter and the checks before Nest answer through it on that part's routes.
 */
export interface ErrorFormat<E = unknown> {
  /** True for the requests this format answers. */
  handles(url: string): boolean;
  /** The format's own error, answered as it is; anything else is answered as the DomainError it maps to. */
  ownError(exception: unknown): exception is E;
  /** Sends the error and returns the status sent. */
  send(reply: FastifyReply, error: DomainError | E, requestId: string): number;
}

const formats = new Map<string, ErrorFormat>();

/** Registers (or replaces) the error format named `name`. */
export function registerErrorFormat<E>(name: string, format: ErrorFormat<E>): void {
  formats.set(name, format);
}

/** The error format of this request's route, if it has one of its own. */
export function errorFormatFor(url: string): ErrorFormat | undefined {
  return [...formats.values()].find((f) => f.handles(url));
}

/** Sends `error` in the route's own format when it has one; false when problem+json is due. */
export function sendInOwnFormat(error: DomainError, url: string, reply: FastifyReply, requestId: string): boolean {
  const format = errorFormatFor(url);
  if (!format) {
    return false;
  }
  format.send(reply, error, requestId);
  return true;
}
