import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Bundle, Resource } from '@medplum/fhirtypes';

/** What a request asked of the server, to check what the service sent. */
export interface SeenRequest {
  path: string;
  authorization?: string;
}

/**
 * A small FHIR R4 server over HTTP for tests: instance reads and searches by `patient`, `code`
 * (system|code) and `status`, answered a page of `pageSize` entries at a time with `next` links.
 * `delayMs` makes every answer that late (a server too slow for the time budget).
 */
export async function startFhirTestServer(
  resources: Resource[],
  options: { pageSize?: number; delayMs?: number } = {},
) {
  const seen: SeenRequest[] = [];
  const pageSize = options.pageSize ?? 50;
  const sockets = new Set<import('node:net').Socket>();
  let base = '';

  const matches = (resource: Resource, params: URLSearchParams): boolean => {
    const r = resource as Resource & {
      subject?: { reference?: string };
      code?: { coding?: Array<{ system?: string; code?: string }> };
      status?: string;
    };
    const patient = params.get('patient');
    if (patient && r.subject?.reference !== `Patient/${patient}`) return false;
    const code = params.get('code');
    if (code) {
      const [system, value] = code.split('|');
      if (!(r.code?.coding ?? []).some((c) => c.system === system && c.code === value)) return false;
    }
    const status = params.get('status');
    return !status || r.status === status;
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    seen.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
    const [type, id] = url.pathname.replace(/^\/fhir\//, '').split('/');
    if (id) {
      const found = resources.find((r) => r.resourceType === type && r.id === id);
      return found
        ? json(200, found)
        : json(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    }
    const all = resources.filter((r) => r.resourceType === type && matches(r, url.searchParams));
    const page = Number(url.searchParams.get('_page') ?? '1');
    const entries = all.slice((page - 1) * pageSize, page * pageSize);
    const next = new URL(url);
    next.searchParams.set('_page', String(page + 1));
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: all.length,
      entry: entries.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource })),
      link: [
        { relation: 'self', url: url.toString() },
        ...(page * pageSize < all.length ? [{ relation: 'next', url: next.toString() }] : []),
      ],
    };
    return json(200, bundle);
  };

  const server: Server = createServer((req, res) => {
    if (options.delayMs) {
      setTimeout(() => answer(req, res), options.delayMs).unref();
      return;
    }
    answer(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return {
    base,
    seen,
    close: () =>
      new Promise<void>((done) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => done());
      }),
  };
}
