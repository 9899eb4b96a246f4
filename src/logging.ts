import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';

import type { AppConfig } from './config/config';

/**
 * Request logs carry method, route path, status and timing only: bodies and query strings can
 * hold patient data, and headers can hold credentials.
 */
export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    quietReqLogger: true,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}
