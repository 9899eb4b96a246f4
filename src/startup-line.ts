import type { DatabaseTarget } from './config/config';
import type { CuffTransport } from './device-adapter/cuff-transport';

/** The database as an operator would name it, without the password a PostgreSQL URL may carry. */
export function databaseLabel(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') {
    return `sqlite:${target.file}`;
  }
  const url = new URL(target.url);
  if (url.password) {
    url.password = '***';
  }
  // libpq also takes the password as a query parameter.
  for (const key of [...url.searchParams.keys()].filter((k) => /pass/i.test(k))) {
    url.searchParams.set(key, '***');
  }
  return `postgres ${url.toString()}`;
}

/** The cuff transport in use: simulated cuffs, or MQTT and the broker (without credentials). */
export function cuffsLabel(transport: CuffTransport): string {
  const health = transport.health();
  return transport.kind === 'mqtt'
    ? `MQTT via ${health.broker ?? 'no broker'}`
    : `${health.devicesKnown} simulated cuffs`;
}

/** The one line start-up logs: where the service listens, which database it keeps records in, how it reaches cuffs. */
export function startupLine(url: string, database: DatabaseTarget, transport: CuffTransport): string {
  return `bfr-rx listening on ${url}; database ${databaseLabel(database)}; cuffs: ${cuffsLabel(transport)}`;
}
