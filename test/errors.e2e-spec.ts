import request from 'supertest';

import { screeningFacts } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

const validFacts = screeningFacts();

describe('errors are problem+json and never a 500', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
    clinician = await sut.as('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  const post = (body: string, contentType = 'application/json') =>
    clinician.post('/v1/rules/evaluations').set('content-type', contentType).send(body);

  function expectProblem(res: request.Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: `${sut.config.publicBaseUrl}/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      status,
      code,
      title: expect.any(String),
      detail: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
  }

  it('lists every invalid field with its path and reason', async () => {
    const res = await post(
      JSON.stringify({
        ruleset: 'screening',
        facts: { ...validFacts, ageYears: 'thirty', vteHistory: 'maybe', systolicBp: '122' },
      }),
    );
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', field: 'facts.ageYears', pointer: '/facts/ageYears' }),
        expect.objectContaining({ in: 'body', field: 'facts.vteHistory', pointer: '/facts/vteHistory' }),
        expect.objectContaining({ in: 'body', field: 'facts.systolicBp' }),
      ]),
    );
    expect(res.body.errors).toHaveLength(3);
    expect(res.body.detail).toContain('facts.ageYears');
  });

  it('names a missing field as required', async () => {
    const { pregnant: _omitted, ...facts } = validFacts;
    const res = await post(JSON.stringify({ ruleset: 'screening', facts }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      { in: 'body', field: 'facts.pregnant', pointer: '/facts/pregnant', detail: 'is required' },
    ]);
  });

  it('refuses an unknown field rather than ignoring it', async () => {
    const res = await post(JSON.stringify({ ruleset: 'screening', facts: { ...validFacts, systolicBP: 120 } }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      { in: 'body', field: 'facts.systolicBP', pointer: '/facts/systolicBP', detail: 'is not a known field' },
    ]);
  });

  it('refuses malformed JSON', async () => {
    expectProblem(await post('{"ruleset": "screening", '), 400, 'MALFORMED_JSON');
  });

  it('refuses an empty JSON body', async () => {
    expectProblem(await post(''), 400, 'MALFORMED_JSON');
  });

  it('refuses a body that is not JSON', async () => {
    expectProblem(await post('ruleset=screening', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await post('hello', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body over the configured limit', async () => {
    const huge = JSON.stringify({ ruleset: 'screening', facts: validFacts, padding: 'x'.repeat(5000) });
    expectProblem(await post(huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses prototype pollution attempts', async () => {
    const res = await post('{"ruleset":"screening","__proto__":{"admin":true}}');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unknown route with 404', async () => {
    const res = await request(sut.http).get('/v1/nothing-here');
    expectProblem(res, 404, 'ROUTE_NOT_FOUND');
    expect(res.body.instance).toBe('/v1/nothing-here');
  });

  it('answers a known path with an unsupported method with 404', async () => {
    expectProblem(await clinician.delete('/v1/rules'), 404, 'ROUTE_NOT_FOUND');
  });

  it('makes its own request id, echoes a safe one from the caller apart, and drops an unsafe one', async () => {
    const kept = await request(sut.http).get('/v1/nothing').set('x-request-id', 'clinic-42.a');
    expect(kept.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept.body.requestId).toBe(kept.headers['x-request-id']);
    expect(kept.headers['x-caller-request-id']).toBe('clinic-42.a');
    const replaced = await request(sut.http).get('/v1/nothing').set('x-request-id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.headers['x-caller-request-id']).toBeUndefined();
  });

  it('answers arbitrary garbage bodies with a 4xx, never a 500', async () => {
    const garbage = [
      'null',
      '[]',
      '42',
      '"text"',
      'true',
      '{}',
      '{"ruleset":null}',
      '{"ruleset":"nonexistent","facts":{}}',
      '{"ruleset":"screening","facts":[]}',
      '{"ruleset":"screening","facts":{"ageYears":1e309}}',
      `{"ruleset":"screening","facts":${JSON.stringify({ ...validFacts, ageYears: -1 })}}`,
      `{"ruleset":"screening","facts":${JSON.stringify({ ...validFacts, systolicBp: 'high' })}}`,
      '{"ruleset":"screening","facts":{"constructor":{"prototype":{}}}}',
      '\u0000\u0001\u0002',
      '{"a":'.repeat(200),
    ];
    for (const body of garbage) {
      const res = await post(body);
      expect({ body, status: res.status }).toEqual({ body, status: expect.any(Number) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
