import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';

import type { AppConfig } from './config/config';

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
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0].replace(UNPRINTABLE, escaped) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}
