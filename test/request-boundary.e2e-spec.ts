import { connect } from 'node:net';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { prescriptionRequest, screeningRequest } from './factories';
import { startTestApp, type TestApp } from './test-app';

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('bad bytes and shapes stop at the boundary', () => {
  let sut: TestApp;
  let token: string;
  let admin: string;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
    token = await sut.tokenFor('clinician');
    admin = await sut.tokenFor('admin');
  });

  afterAll(async () => {
    await sut.close();
  });

  const inject = async ({
    method = 'GET',
    url,
    headers = {},
    payload,
  }: {
    method?: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string | Buffer;
  }) => {
    const sent = request(sut.http)[method.toLowerCase() as 'get'](url).set(headers);
    // Bytes go on the wire as they are, not serialised as JSON.
    return payload === undefined ? sent : sent.serialize((body: unknown) => body as string).send(payload as string);
  };
  const json = (payload: string | Buffer, url = '/v1/screenings', headers: Record<string, string> = {}) =>
    inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    });

  function expectRefusal(res: request.Response, status: number, where: { in: string; field: string }) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining(where)]);
  }

  it.each([
    ['a NUL in a path parameter', '/v1/prescriptions/%00', { in: 'path', field: '' }],
    ['a NUL in a query parameter', '/v1/prescriptions?patient=a%00', { in: 'query', field: 'patient' }],
    [
      'bytes that are not UTF-8 in a query parameter',
      '/v1/prescriptions?patient=%C3%28',
      { in: 'query', field: 'patient' },
    ],
    ['a broken percent-encoding in the path', '/v1/prescriptions/%E0%A4%A', { in: 'path', field: '' }],
  ])('refuses %s with 400 naming where it is', async (_case, url, where) => {
    expectRefusal(await inject({ url, headers: { authorization: `Bearer ${token}` } }), 400, where);
  });

  it('refuses a NUL in the audit filter before it reaches the database', async () => {
    expectRefusal(await inject({ url: '/v1/audit?actor=%00', headers: { authorization: `Bearer ${admin}` } }), 400, {
      in: 'query',
      field: 'actor',
    });
  });

  it('refuses NUL characters, half UTF-16 pairs and bytes that are not UTF-8 in JSON bodies, naming the field', async () => {
    expectRefusal(await json('{"patient":{"ref":"a\\u0000"}}'), 400, { in: 'body', field: 'patient.ref' });
    expectRefusal(await json('{"patient":{"ref":"\\ud800"}}'), 400, { in: 'body', field: 'patient.ref' });
    expectRefusal(await json(Buffer.from('{"patient":"\xc3\x28"}', 'latin1')), 400, { in: 'body', field: '' });
  });

  it('refuses JSON nested deeper than 64 levels before anything recursive reads it, idempotent or not', async () => {
    const refused = await json(deep(5000), '/v1/prescriptions', { 'idempotency-key': 'deep-1' });
    expectRefusal(refused, 400, { in: 'body', field: '' });
    expect(refused.body.errors[0].detail).toMatch(/deeper than 64/);
    expect((await json(deep(64))).body.errors[0].detail).not.toMatch(/deeper/);
  });

  it('answers CDS Hooks routes with an OperationOutcome', async () => {
    const res = await inject({
      method: 'POST',
      url: '/cds-services/bfr-screening',
      payload: deep(50_000),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
  });

  it("answers Fastify's own refusals as problem+json: a path parameter too long, a preflight without Origin", async () => {
    const long = await inject({
      url: `/v1/prescriptions/${'a'.repeat(101)}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(long.status).toBe(414);
    expect(long.body).toMatchObject({ code: 'URI_TOO_LONG' });
    expectRefusal(
      await inject({ method: 'OPTIONS', url: '/v1/screenings', headers: { 'access-control-request-method': 'POST' } }),
      400,
      {
        in: 'header',
        field: 'origin',
      },
    );
  });

  it('answers headers too large for the HTTP parser with 431 problem+json on the socket', async () => {
    await sut.app.listen(0, '127.0.0.1');
    const { port } = sut.app.getHttpServer().address() as { port: number };
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 431 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    });
  });

  it('lets no anonymous NUL request fail anyone else: every write of a clinician alongside is answered and recorded', async () => {
    const anonymous = Array.from({ length: 20 }, () => request(sut.http).get('/v1/prescriptions/%00'));
    const writes = Array.from({ length: 10 }, (_, i) =>
      request(sut.http)
        .post(i % 2 ? '/v1/screenings' : '/v1/prescriptions')
        .auth(token, { type: 'bearer' })
        .send(i % 2 ? screeningRequest() : prescriptionRequest()),
    );
    const [refused, written] = await Promise.all([Promise.all(anonymous), Promise.all(writes)]);
    expect(refused.map((r) => r.status)).toEqual(refused.map(() => 400));
    expect(written.map((r) => r.status)).toEqual(written.map(() => 201));
    const db = sut.app.get(DataSource);
    const recorded = await db.query(
      'SELECT status FROM audit_events WHERE request_id IN (' + written.map(() => '?').join(',') + ')',
      written.map((r) => r.headers['x-request-id']),
    );
    expect(recorded).toHaveLength(written.length);
    const verification = await request(sut.http)
      .get('/v1/audit/verification')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(verification.body.intact).toBe(true);
  });
});
