import type { IncomingMessage, ServerResponse } from 'node:http';
import { stdSerializers } from 'pino';
import type { Options } from 'pino-http';

import { wasShed } from './common/load-shedding';
import type { AppConfig } from './config/config';

/** Fields of database errors that hold the statement's values or quote them (TypeORM, pg, sqlite3). */
const DATABASE_VALUES = new Set(['parameters', 'driverError', 'detail', 'where', 'internalQuery', 'hint']);

function isDatabaseError(error: unknown): boolean {
  const e = error as Record<string, unknown> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    ('parameters' in e ||
      'driverError' in e ||
      'routine' in e ||
      (typeof e.code === 'string' && e.code.startsWith('SQLITE_')))
  );
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e = error;
    typeof e === 'object' && e !== null && chain.length < 10 && !chain.includes(e);
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  return chain;
}

/** Without the values a database error carries: its parameters, its driver's detail, and quoted literals in its message. */
function withoutDatabaseValues(serialized: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (DATABASE_VALUES.has(key)) {
      redacted[key] = key === 'driverError' ? { code: (value as { code?: unknown } | null)?.code } : '[redacted]';
    } else if ((key === 'message' || key === 'stack') && typeof value === 'string') {
      redacted[key] = value.replace(/"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)=\([^()\n]*\)/g, '"…"');
    } else if (Array.isArray(value)) {
      redacted[key] = value.map((item) =>
        typeof item === 'object' && item !== null ? withoutDatabaseValues(item as Record<string, unknown>) : item,
      );
    } else if (typeof value === 'object' && value !== null && key !== 'raw') {
      redacted[key] = withoutDatabaseValues(value as Record<string, unknown>);
    } else {
      redacted[key] = value;
    }
  }
  return redacted;
}

/**
 * Errors as pino logs them, except that a database error (or an error caused by one) loses the
 * values of its statement: a failed insert would otherwise put a patient's record in the log.
 */
export function logSafeError(error: unknown): unknown {
  // pino-http hands over the error already serialized, with the original as `raw`.
  const raw = (error as { raw?: unknown } | null)?.raw ?? error;
  const serialized = error instanceof Error ? stdSerializers.err(error) : error;
  return causes(raw).some(isDatabaseError) ? withoutDatabaseValues(serialized as Record<string, unknown>) : serialized;
}

const UNPRINTABLE = /[^\x21-\x7e]/g;
/** A path is logged as printable ASCII: a byte the caller sent raw is shown percent-encoded. */
const escaped = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`;

/**
 * Request logs carry method, route path, status and timing only: bodies and query strings can
 * hold patient data, and headers can hold credentials.
 */
export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    quietReqLogger: true,
    serializers: {
      err: logSafeError,
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        path: req.url?.split('?')[0].replace(UNPRINTABLE, escaped),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    // Shed requests are summed up by load shedding: one line each would add to the overload. Other
    // 503s (a resource short for now, e.g. every database connection busy) are warnings, not defects.
    customLogLevel: (req, res, error) =>
      wasShed(req)
        ? 'silent'
        : res.statusCode === 503
          ? 'warn'
          : error || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}
