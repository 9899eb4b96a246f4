import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AppConfig } from '../config/config';
import { DomainError, ErrorCode, PROBLEM_TYPES, problemSlug } from './problem';
import { sendProblem } from './problem.filter';
import { invalidFields } from './validation.pipe';

/** Deeper JSON than any request of the API needs; refused before anything recursive reads it. */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** NUL, and UTF-16 halves that stand for no character: neither can be stored (PostgreSQL refuses both). */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;
const UNSTORABLE_ANYWHERE = /[\0\uD800-\uDFFF]/gu;
const NON_ASCII = /[^\x20-\x7e\t]/;

/** C0 controls but tab, and DEL. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}
const withoutControls = (text: string) => [...text].map((c) => (isControl(c.charCodeAt(0)) ? '?' : c)).join('');

/** A caller-supplied name (query key, JSON key) made safe to echo in a refusal: no control or unstorable characters, clipped. */
const shown = (name: string) => withoutControls(name.replace(UNSTORABLE_ANYWHERE, '\uFFFD')).slice(0, 100);

function decoded(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

/** The first NUL, invalid percent-encoding or invalid UTF-8 in the path or the query string, as a refused field. */
function badUrlField(url: string): DomainError | undefined {
  const [path, query = ''] = url.split(/\?(.*)/s, 2);
  for (const segment of path.split('/')) {
    const value = decoded(segment);
    if (value === undefined || UNSTORABLE.test(value)) {
      return invalidFields('path', [
        { field: '', detail: 'holds a NUL byte, a broken percent-encoding or bytes that are not UTF-8' },
      ]);
    }
  }
  for (const pair of query.split('&')) {
    const [rawName, rawValue = ''] = pair.split(/=(.*)/s, 2);
    const name = decoded(rawName.replaceAll('+', ' '));
    const value = decoded(rawValue.replaceAll('+', ' '));
    if (name === undefined || value === undefined || UNSTORABLE.test(name) || UNSTORABLE.test(value)) {
      return invalidFields('query', [
        {
          field: shown(name ?? rawName),
          detail: 'holds a NUL byte, a broken percent-encoding or bytes that are not UTF-8',
        },
      ]);
    }
  }
  return undefined;
}

/** A header value that holds a control character, or bytes beyond ASCII that are not UTF-8. */
function badHeader(request: FastifyRequest): string | undefined {
  for (const [name, value] of Object.entries(request.headers)) {
    for (const text of [value ?? []].flat()) {
      if (!NON_ASCII.test(text)) {
        continue;
      }
      if ([...text].some((c) => isControl(c.charCodeAt(0)))) {
        return name;
      }
      try {
        utf8.decode(Buffer.from(text, 'latin1'));
      } catch {
        return name;
      }
    }
  }
  return undefined;
}

/**
 * Refuses, before any route, guard, database or audit work, what no route could use: NUL bytes and
 * broken encodings in the path, query or headers, and CORS preflights that are not preflights.
 */
export function registerRequestBoundary(fastify: FastifyInstance, config: AppConfig): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const refusal = badUrlField(request.url) ?? headerRefusal(badHeader(request)) ?? preflightRefusal(request);
    if (refusal) {
      return sendProblem(refusal, request, reply, config);
    }
    return undefined;
  });
}

function headerRefusal(name: string | undefined): DomainError | undefined {
  return name === undefined
    ? undefined
    : new DomainError(
        ErrorCode.BadRequest,
        `The ${name} header holds a control character or bytes that are not UTF-8.`,
        [{ in: 'header', field: name, pointer: '', detail: 'holds a control character or bytes that are not UTF-8' }],
      );
}

const PREFLIGHT_HEADERS = ['origin', 'access-control-request-method'];

/** An OPTIONS request without what makes it a CORS preflight; CORS leaves it to the boundary, which refuses it. */
export function isIncompletePreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && PREFLIGHT_HEADERS.some((name) => !request.headers[name]);
}

function preflightRefusal(request: FastifyRequest): DomainError | undefined {
  const missing = isIncompletePreflight(request)
    ? PREFLIGHT_HEADERS.find((name) => !request.headers[name])!
    : undefined;
  return missing === undefined
    ? undefined
    : new DomainError(ErrorCode.BadRequest, `A CORS preflight request needs the ${missing} header.`, [
        { in: 'header', field: missing, pointer: '', detail: 'is required in a CORS preflight request' },
      ]);
}

/** Nesting depth of a JSON text, counted without parsing it: brackets outside strings. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i += 1;
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) {
        return true;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** The dotted path of the first string or key holding a character that cannot be stored. */
function unstorableField(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') {
    return UNSTORABLE.test(value) ? path : undefined;
  }
  if (value === null || typeof value !== 'object') {
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) {
      return [...path, shown(key)];
    }
    const found = unstorableField(item, [...path, key]);
    if (found) {
      return found;
    }
  }
  return undefined;
}

type JsonParser = (request: FastifyRequest, body: string, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Parses a JSON body (plain or FHIR) after the checks no schema can make: the bytes are UTF-8,
 * nesting is at most MAX_JSON_DEPTH deep (so canonical JSON, validation and the rules never
 * recurse without bound) and no string holds NUL or half a character.
 */
export function boundedJsonParser(parseJson: JsonParser) {
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void): void => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(invalidFields('body', [{ field: '', detail: 'is not UTF-8' }]));
      return;
    }
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(invalidFields('body', [{ field: '', detail: `nests deeper than ${MAX_JSON_DEPTH} levels` }]));
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error) {
        done(error);
        return;
      }
      const field = unstorableField(parsed);
      done(
        field
          ? invalidFields('body', [
              { field: field.join('.'), detail: 'holds a NUL character or half of a UTF-16 pair' },
            ])
          : null,
        parsed,
      );
    });
  };
}

/**
 * Fastify's refusals of a URL it cannot route (bad percent-encoding, a path parameter over its
 * length limit) answered like every other error.
 */
export function frameworkErrors(config: AppConfig) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const refusal =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new DomainError(ErrorCode.UriTooLong, 'A path parameter is longer than 100 characters.')
        : invalidFields('path', [{ field: '', detail: 'holds a broken percent-encoding or bytes that are not UTF-8' }]);
    void sendProblem(refusal, request, reply, config);
  };
}

/**
 * Requests Node's HTTP parser refuses (headers too large, malformed request lines and headers)
 * never reach a route: they are answered on the socket, still as problem+json.
 */
export function clientErrorHandler(config: AppConfig) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const code = error.code === 'HPE_HEADER_OVERFLOW' ? ErrorCode.HeadersTooLarge : ErrorCode.BadRequest;
    const { status, title } = PROBLEM_TYPES[code];
    const detail =
      code === ErrorCode.HeadersTooLarge
        ? 'The request headers are too large.'
        : 'The request is not well-formed HTTP.';
    const body = JSON.stringify({
      type: `${config.publicBaseUrl}/problems/${problemSlug(code)}`,
      title,
      status,
      detail,
      code,
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
}
