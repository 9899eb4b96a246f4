import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { onScreeningDay, screeningRequest } from './factories';
import { startTestApp, type TestApp } from './test-app';

describe('the web app at /app', () => {
  let sut: TestApp;
  let built: string;

  beforeAll(async () => {
    built = mkdtempSync(join(tmpdir(), 'bfr-rx-web-'));
    mkdirSync(join(built, 'assets'));
    writeFileSync(
      join(built, 'index.html'),
      '<!doctype html><title>bfr-rx</title><script type="module" src="/app/assets/app.js"></script>',
    );
    writeFileSync(join(built, 'assets', 'app.js'), 'export {};');
    sut = await startTestApp({ WEB_APP_DIR: built }, { clock: onScreeningDay() });
  });

  afterAll(async () => {
    await sut.close();
    rmSync(built, { recursive: true, force: true });
  });

  it('serves the built page and its assets with a CSP that allows only its own origin', async () => {
    const page = await request(sut.http).get('/app/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const script = await request(sut.http).get('/app/assets/app.js').expect(200);
    expect(script.headers['cache-control']).toContain('immutable');
    await request(sut.http).get('/app').expect(302).expect('location', '/app/');
  });

  it('evaluates a screening without storing it', async () => {
    const clinician = await sut.tokenFor('clinician');
    const db = sut.app.get(DataSource);
    const [{ n: before }] = await db.query('SELECT count(*) AS n FROM screenings');
    const outcome = await request(sut.http)
      .post('/v1/screenings/evaluations')
      .auth(clinician, { type: 'bearer' })
      .send(screeningRequest())
      .expect(200);
    expect(outcome.body).toMatchObject({ verdict: 'clear', missing: [] });
    expect(outcome.body.id).toBeUndefined();
    const { answers: _left, ...withoutAnswers } = screeningRequest();
    const incomplete = await request(sut.http)
      .post('/v1/screenings/evaluations')
      .auth(clinician, { type: 'bearer' })
      .send({ ...withoutAnswers, answers: {} })
      .expect(200);
    expect(incomplete.body.verdict).toBe('incomplete');
    expect(incomplete.body.missing).toContain('vteHistory');
    const [{ n: after }] = await db.query('SELECT count(*) AS n FROM screenings');
    expect(Number(after)).toBe(Number(before));
    await request(sut.http)
      .post('/v1/screenings/evaluations')
      .auth(await sut.tokenFor('viewer'), { type: 'bearer' })
      .send(screeningRequest())
      .expect(403);
  });
});

describe('development sign-in', () => {
  it('mints a token for a role, which the API accepts', async () => {
    const sut = await startTestApp();
    try {
      const token = await request(sut.http).post('/app/dev-token').send({ role: 'clinician' }).expect(200);
      expect(token.body).toMatchObject({ subject: 'dev-clinician', tenant: 'clinic-north', roles: ['clinician'] });
      await request(sut.http).get('/v1/devices').auth(token.body.accessToken, { type: 'bearer' }).expect(200);
      const refused = await request(sut.http).post('/app/dev-token').send({ role: 'gateway' }).expect(400);
      expect(refused.body.errors[0].field).toBe('role');
      expect((await request(sut.http).get('/app/sign-in-options').expect(200)).body).toEqual({
        development: true,
        oidc: null,
      });
    } finally {
      await sut.close();
    }
  });
});

describe('the web app in production', () => {
  it('signs in at the OIDC issuer only: no development tokens, the token endpoint in the CSP', async () => {
    const sut = await startTestApp({
      NODE_ENV: 'production',
      AUTH_JWKS_URL: 'https://id.clinic.example/jwks',
      AUTH_ISSUER: 'https://id.clinic.example',
      WEB_OIDC_AUTHORIZATION_URL: 'https://id.clinic.example/authorize',
      WEB_OIDC_TOKEN_URL: 'https://id.clinic.example/token',
      WEB_OIDC_CLIENT_ID: 'bfr-rx-web',
      WEB_APP_DIR: join(tmpdir(), 'bfr-rx-web-absent'),
    });
    try {
      await request(sut.http).post('/app/dev-token').send({ role: 'clinician' }).expect(404);
      expect((await request(sut.http).get('/app/sign-in-options').expect(200)).body).toEqual({
        development: false,
        oidc: {
          authorizationUrl: 'https://id.clinic.example/authorize',
          tokenUrl: 'https://id.clinic.example/token',
          clientId: 'bfr-rx-web',
          scope: 'openid',
        },
      });
      const unbuilt = await request(sut.http).get('/app').expect(503);
      expect(unbuilt.text).toContain('npm run build:web');
      expect(unbuilt.headers['content-security-policy']).toContain("connect-src 'self' https://id.clinic.example");
    } finally {
      await sut.close();
    }
  });
});
