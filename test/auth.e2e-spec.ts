import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SignJWT } from 'jose';
import request from 'supertest';

import { mintToken } from '../src/auth/development-issuer';
import type { Role } from '../src/auth/principal';
import { type Caller, startTestApp, type TestApp } from './test-app';

type Operation = { security?: Array<Record<string, unknown>>; 'x-roles'?: string[] };

/**
 * Every operation of the served OpenAPI document that declares the security scheme, with a concrete
 * path: `bearer` for this service's tokens, `cds-hooks-jwt` for the EHR-signed JWTs of CDS Hooks.
 */
async function protectedOperations(sut: TestApp, scheme = 'bearer'): Promise<Array<{ method: string; path: string }>> {
  const document = (await request(sut.http).get('/docs-json')).body as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => (operation.security ?? []).some((requirement) => scheme in requirement))
      .map(([method]) => ({ method, path: path.replace(/\{[^}]+\}/g, 'ci.vte-history') })),
  );
}

describe('authentication and authorization', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  const call = (method: string, path: string, caller?: Caller) =>
    caller ? caller[method as 'get' | 'post'](path) : request(sut.http)[method as 'get' | 'post'](path);

  it('protects every /v1 operation of the API document', async () => {
    const operations = await protectedOperations(sut);
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.every((op) => op.path.startsWith('/v1/'))).toBe(true);
  });

  it('protects every CDS Hooks operation with the EHR-signed JWT instead, and nothing else with it', async () => {
    const document = (await request(sut.http).get('/docs-json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const cdsPaths = Object.keys(document.paths).filter((path) => path.startsWith('/cds-services'));
    const operations = await protectedOperations(sut, 'cds-hooks-jwt');
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.every((op) => op.path.startsWith('/cds-services'))).toBe(true);
    expect(operations).toHaveLength(cdsPaths.flatMap((path) => Object.keys(document.paths[path])).length);
    expect((await protectedOperations(sut)).some((op) => op.path.startsWith('/cds-services'))).toBe(false);
  });

  it('answers 401 OperationOutcome on every CDS Hooks route without a JWT, or with one of its own bearer tokens', async () => {
    const clinician = await sut.as('clinician');
    for (const { method, path } of await protectedOperations(sut, 'cds-hooks-jwt')) {
      for (const caller of [undefined, clinician]) {
        const res = await call(method, path, caller);
        expect({
          method,
          path,
          status: res.status,
          type: res.body.resourceType,
          issue: res.body.issue?.[0]?.code,
        }).toEqual({
          method,
          path,
          status: 401,
          type: 'OperationOutcome',
          issue: 'login',
        });
        expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
  });

  it('answers 401 problem+json with a challenge on every protected route without a token', async () => {
    for (const { method, path } of await protectedOperations(sut)) {
      const res = await call(method, path);
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({
        method,
        path,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('answers 403 on every protected route to a role it is not for', async () => {
    const gateway = await sut.as('gateway');
    for (const { method, path } of await protectedOperations(sut)) {
      const res = await call(method, path, gateway);
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
  });

  it.each<Role>(['clinician', 'viewer', 'admin'])('lets a %s read the rule catalogue', async (role) => {
    await call('get', '/v1/rules', await sut.as(role)).expect(200);
  });

  it('refuses an expired token, saying so', async () => {
    const expired = await sut.as('clinician', { now: new Date(Date.now() - 3_600_000), ttlSeconds: 600 });
    const res = await call('get', '/v1/rules', expired).expect(401);
    expect(res.body.detail).toBe('The bearer token has expired.');
  });

  it('refuses a token signed by another key', async () => {
    if (sut.config.auth.mode !== 'development') {
      throw new Error('development issuer expected');
    }
    const otherKey = join(mkdtempSync(join(tmpdir(), 'bfr-rx-key-')), 'other.json');
    const token = await mintToken(
      { ...sut.config.auth, keyFile: otherKey },
      { subject: 'x', tenant: 'clinic-north', roles: ['admin'], ttlSeconds: 600, now: new Date() },
    );
    await call('get', '/v1/rules', sut.withToken(token)).expect(401);
  });

  it('refuses a token meant for another audience or from another issuer', async () => {
    if (sut.config.auth.mode !== 'development') {
      throw new Error('development issuer expected');
    }
    const claims = {
      subject: 'x',
      tenant: 'clinic-north',
      roles: ['admin'] as Role[],
      ttlSeconds: 600,
      now: new Date(),
    };
    await call(
      'get',
      '/v1/rules',
      sut.withToken(await mintToken({ ...sut.config.auth, audience: 'another-service' }, claims)),
    ).expect(401);
    await call(
      'get',
      '/v1/rules',
      sut.withToken(await mintToken({ ...sut.config.auth, issuer: 'https://evil.example' }, claims)),
    ).expect(401);
  });

  it('refuses a token signed with a shared secret', async () => {
    const token = await new SignJWT({ tenant: 'clinic-north', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(sut.config.auth.issuer)
      .setAudience(sut.config.auth.audience)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('a-secret-anyone-could-guess-0123456789'));
    await call('get', '/v1/rules', sut.withToken(token)).expect(401);
  });

  it('refuses a token without an organization', async () => {
    const withoutOrganization = await sut.as('clinician', { tenant: '' });
    const res = await call('get', '/v1/rules', withoutOrganization).expect(401);
    expect(res.body.detail).toContain('"tenant"');
  });

  it('refuses a malformed Authorization header', async () => {
    await request(sut.http).get('/v1/rules').set('authorization', 'Basic dXNlcjpwYXNz').expect(401);
    await request(sut.http).get('/v1/rules').set('authorization', 'Bearer not.a.jwt').expect(401);
  });

  it('keeps health, docs, problem types and the rule pages open', async () => {
    await request(sut.http).get('/health').expect(200);
    await request(sut.http).get('/docs-json').expect(200);
    await request(sut.http).get('/problems/unauthenticated').expect(200);
    await request(sut.http).get('/rules').expect(200);
    await request(sut.http).get('/rules/ci.vte-history').expect(200);
  });
});

describe('abuse limits', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', CORS_ORIGINS: 'https://app.clinic.example' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('sets security headers', async () => {
    const res = await request(sut.http).get('/problems/forbidden');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('allows only configured browser origins, preflight included', async () => {
    const allowed = await request(sut.http)
      .options('/v1/rules')
      .set('origin', 'https://app.clinic.example')
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', 'authorization');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.clinic.example');
    expect(allowed.headers['access-control-allow-headers']).toContain('authorization');
    const refused = await request(sut.http).get('/problems/forbidden').set('origin', 'https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 429 problem+json with Retry-After once the rate limit is reached', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 8; i += 1) {
      last = await request(sut.http).get('/problems/forbidden');
      statuses.push(last.status);
    }
    expect(statuses).toContain(429);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(5);
    expect(last?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(last?.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });
});
