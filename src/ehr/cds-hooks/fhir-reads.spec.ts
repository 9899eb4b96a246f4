import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { FhirReadFailed, FhirReads } from './fhir-reads';

describe('FhirReads', () => {
  let server: Server;
  let base: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/fhir/Patient/gone') {
        return res.writeHead(404).end();
      }
      if (req.url === '/fhir/Patient/broken') {
        return res.writeHead(500).end();
      }
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"not":"fhir"}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  const sut = () => new FhirReads(base, 'token', AbortSignal.timeout(2000));

  it('reads a missing resource as no data, and says what a failing server answered', async () => {
    await expect(sut().query('Patient/gone')).resolves.toBeNull();
    await expect(sut().query('Patient/broken')).rejects.toThrow(
      new FhirReadFailed('the FHIR server answered HTTP 500'),
    );
    await expect(sut().query('Patient/odd')).rejects.toThrow('the answer was not a FHIR resource');
  });

  it('does not send the token to a next page on another server', async () => {
    const before = paths.length;
    const page = {
      resourceType: 'Bundle' as const,
      type: 'searchset' as const,
      link: [{ relation: 'next', url: 'https://elsewhere.example/fhir/Condition?page=2' }],
    };
    await expect(sut().rest(page)).rejects.toThrow(
      'a next page at another address (https://elsewhere.example) was not followed',
    );
    expect(paths.length).toBe(before);
  });
});
