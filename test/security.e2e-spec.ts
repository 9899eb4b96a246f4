import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { DestinationStream } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { ConfigError, DEVELOPMENT_ISSUER_IN_PRODUCTION, loadConfig } from '../src/config/config';
import { prescriptionRequest, screeningRequest } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

const ROOT = resolve(__dirname, '..');

/** Runs a TypeScript entry point of the project as npm would, and collects what it prints until it exits. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; output: string }> {
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout?.on('data', (chunk) => ((stdout += chunk), (output += chunk)));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((done) => child.once('exit', (code) => done({ code, stdout, output })));
}

/** The log lines of an app, as JSON objects. */
function logCapture(): {
  destination: DestinationStream;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  const written: string[] = [];
  return {
    destination: { write: (line: string) => void written.push(line) },
    lines: () =>
      written
        .flatMap((chunk) => chunk.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    text: () => written.join(''),
  };
}

const PRODUCTION_WITH_DEV_ISSUER = {
  NODE_ENV: 'production',
  AUTH_DEV_ISSUER_IN_PRODUCTION: DEVELOPMENT_ISSUER_IN_PRODUCTION,
};

/**
 * nestjs-pino keeps one logger per module registry, made by the first app: the app whose log
 * lines are read is therefore the first this file starts.
 */
describe('what the logs say', () => {
  const logs = logCapture();
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp(
      { ...PRODUCTION_WITH_DEV_ISSUER, LOG_LEVEL: 'info' },
      { logDestination: logs.destination },
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('runs the development issuer in production only when opted in, saying so at error level, with the API documents off', async () => {
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining('PRODUCTION WITH THE DEVELOPMENT ISSUER') }),
    );
    await request(sut.http).get('/docs-json').expect(404);
    await request(sut.http).get('/docs').expect(404);
    await (await sut.as('viewer')).get('/v1/rules').expect(200);
  });

  it('logs a failed database write without its values: no patient identifier, birth date or token', async () => {
    const clinician = await sut.as('clinician');
    // A database that lost a table: the insert of the screening fails with all its values bound.
    await sut.app.get(DataSource).query('DROP TABLE screenings');
    const patient = { ...screeningRequest().patient, ref: 'MRN-LEAK-4242', birthDate: '1961-07-19' };
    const res = await clinician.post('/v1/screenings', screeningRequest({ patient })).expect(500);
    expect(res.body.code).toBe('INTERNAL_ERROR');
    const failure = logs.lines().find((line) => line.msg === 'request failed: INTERNAL_ERROR') as
      { err: Record<string, unknown> } | undefined;
    expect(failure?.err).toMatchObject({
      type: 'QueryFailedError',
      parameters: '[redacted]',
      query: expect.stringContaining('INSERT INTO "screenings"'),
    });
    expect(logs.text()).not.toMatch(/MRN-LEAK-4242|1961-07-19/);
    expect(logs.text()).not.toContain(clinician.token.split('.')[2]);
  });
});

describe('production mode', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-prod-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without AUTH_JWKS_URL, and npm run token refuses to mint', async () => {
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      AUTH_DEV_KEY_FILE: join(dir, 'key.json'),
    };
    const [service, token] = await Promise.all([
      run('src/main.ts', [], { ...env, PORT: '1' }),
      run('scripts/token.ts', ['--role', 'admin', '--tenant', 'any', '--hours', '720'], env),
    ]);
    expect(service.code).toBe(1);
    expect(service.output).toContain('AUTH_JWKS_URL: is required in production');
    expect(token).toMatchObject({ code: 1, stdout: '' });
    expect(token.output).toContain('NODE_ENV is production');
    expect(existsSync(join(dir, 'key.json'))).toBe(false);
  }, 30_000);

  it('takes the key set of the identity provider over https only, plain http on this machine alone', () => {
    const oidc = { AUTH_ISSUER: 'https://id.clinic.example', NODE_ENV: 'production' };
    expect(() => loadConfig({ ...oidc, AUTH_JWKS_URL: 'http://id.clinic.example/jwks' })).toThrow(
      /AUTH_JWKS_URL: must be an https URL/,
    );
    expect(loadConfig({ ...oidc, AUTH_JWKS_URL: 'https://id.clinic.example/jwks' }).auth.mode).toBe('oidc');
    expect(loadConfig({ ...oidc, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).auth.mode).toBe('oidc');
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_DEV_ISSUER_IN_PRODUCTION: 'true' })).toThrow(ConfigError);
  });

  it('serves the API documents in production to token holders only with API_DOCS=authenticated, or to anyone with public', async () => {
    const guarded = await startTestApp({ ...PRODUCTION_WITH_DEV_ISSUER, API_DOCS: 'authenticated' });
    try {
      const refused = await request(guarded.http).get('/docs-json').expect(401);
      expect(refused.body.code).toBe('UNAUTHENTICATED');
      await guarded.withToken('not-a-token').get('/docs-json').expect(401);
      const document = await (await guarded.as('viewer')).get('/docs-json').expect(200);
      expect(document.body.openapi).toMatch(/^3\./);
    } finally {
      await guarded.close();
    }
    const open = await startTestApp({ ...PRODUCTION_WITH_DEV_ISSUER, API_DOCS: 'public' });
    try {
      await request(open.http).get('/docs-json').expect(200);
    } finally {
      await open.close();
    }
  });
});

describe('secrets and patient data never echo', () => {
  it('names the CDS_CLIENTS entry and field holding a private key, never the key', async () => {
    const privateKey = { kty: 'EC', kid: 'k1', crv: 'P-256', x: 'public-x', y: 'public-y', d: 'PRIVATE-SCALAR-d0' };
    const service = await run('src/main.ts', [], {
      CDS_CLIENTS: JSON.stringify([{ issuer: 'https://ehr.example', jwks: { keys: [privateKey] } }]),
      DATABASE_URL: 'sqlite::memory:',
    });
    expect(service.code).toBe(1);
    expect(service.output).toContain(
      'CDS_CLIENTS: is a private key; configure the public key only (entry 1, field jwks.keys.0)',
    );
    expect(service.output).not.toContain('PRIVATE-SCALAR-d0');
    expect(service.output).not.toContain('public-x');
  }, 30_000);
});

describe('the API on patient data', () => {
  let sut: TestApp;
  let clinician: Caller;

  beforeAll(async () => {
    sut = await startTestApp({ PUBLIC_BASE_URL: 'https://bfr.clinic.example' });
    clinician = await sut.as('clinician', { subject: 'dr-lee' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers patient data, and problems about it, with Cache-Control: no-store', async () => {
    const draft = (await clinician.post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
    const acknowledgements = draft.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
    await clinician.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements }).expect(200);
    const answers: Array<[string, request.Response]> = [
      ['plan', await clinician.get(`/v1/prescriptions/${draft.id}`).expect(200)],
      ['handout', await clinician.get(`/v1/prescriptions/${draft.id}/handout.pdf`).expect(200)],
      ['FHIR bundle', await clinician.get(`/v1/prescriptions/${draft.id}/fhir`).expect(200)],
      ["patient's plans", await clinician.get(`/v1/prescriptions?patient=${draft.patientRef}`).expect(200)],
      ['problem', await clinician.get('/v1/prescriptions/00000000-0000-4000-8000-000000000000').expect(404)],
      ['CDS Hooks', await request(sut.http).post('/cds-services/bfr-screening').send({}).expect(401)],
    ];
    expect(answers.map(([what, res]) => [what, res.headers['cache-control']])).toEqual(
      answers.map(([what]) => [what, 'no-store']),
    );
  });

  it('refuses a token whose subject is longer than the records hold, naming the claim', async () => {
    const res = await (await sut.as('clinician', { subject: `dr-${'x'.repeat(198)}` })).get('/v1/rules').expect(401);
    expect(res.body).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: 'The bearer token\'s "sub" claim is longer than 200 characters.',
    });
    await (await sut.as('clinician', { subject: `dr-${'x'.repeat(197)}` })).get('/v1/rules').expect(200);
  });

  it('records the id of what a request created and the patient whose plans were listed', async () => {
    const created = (await clinician.post('/v1/screenings', screeningRequest()).expect(201)).body;
    await clinician.get('/v1/prescriptions?patient=mrn-audit-9').expect(200);
    const admin = await sut.as('admin');
    const { records } = (await admin.get('/v1/audit?actor=dr-lee&limit=500').expect(200)).body as {
      records: Array<{ action: string; resourceId: string | null }>;
    };
    expect(records).toContainEqual(expect.objectContaining({ action: 'POST /v1/screenings', resourceId: created.id }));
    expect(records).toContainEqual(
      expect.objectContaining({ action: 'GET /v1/prescriptions', resourceId: 'patient/mrn-audit-9' }),
    );
  });

  it("makes its own request id, keeping the caller's apart in the answer and the audit trail", async () => {
    const first = await clinician.get('/v1/rules').set('x-request-id', 'ehr-call-1').expect(200);
    const second = await clinician.get('/v1/rules').set('x-request-id', 'ehr-call-1').expect(200);
    for (const res of [first, second]) {
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-caller-request-id']).toBe('ehr-call-1');
    }
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    const { records } = (await (await sut.as('admin')).get('/v1/audit?actor=dr-lee&limit=500').expect(200)).body as {
      records: Array<{ requestId: string; callerRequestId?: string }>;
    };
    const recorded = records.filter((r) => r.callerRequestId === 'ehr-call-1').map((r) => r.requestId);
    expect(recorded).toEqual([first.headers['x-request-id'], second.headers['x-request-id']]);
    const verification = await (await sut.as('operator')).get('/v1/audit/verification').expect(200);
    expect(verification.body).toMatchObject({ scope: 'all', intact: true });
  });

  it("verifies the chain for an admin counting the organization's records only; an operator gets the whole chain", async () => {
    await (await sut.as('viewer', { tenant: 'clinic-south' })).get('/v1/rules').expect(200);
    const south = await (await sut.as('admin', { tenant: 'clinic-south' })).get('/v1/audit/verification').expect(200);
    expect(south.body).toMatchObject({ scope: 'organization', intact: true, checked: 1 });
    expect(south.body.firstBroken).toBeUndefined();
    const operator = await sut.as('operator');
    const all = await operator.get('/v1/audit/verification').expect(200);
    expect(all.body).toMatchObject({ scope: 'all', intact: true });
    expect(all.body.checked).toBeGreaterThan(10);
    await operator.get('/v1/audit').expect(403);
  });
});

describe('files', () => {
  it('creates the data folder, the SQLite file and its -wal and -shm owner-only, whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-files-'));
    const data = join(dir, 'data');
    const file = join(data, 'bfr-rx.sqlite');
    const umask = process.umask(0);
    let sut: TestApp | undefined;
    try {
      sut = await startTestApp({ DATABASE_URL: `sqlite:${file}` });
    } finally {
      process.umask(umask);
    }
    try {
      await (await sut.as('viewer')).get('/v1/rules').expect(200);
      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
      expect([data, file, `${file}-wal`, `${file}-shm`].map((path) => [path, mode(path)])).toEqual([
        [data, '700'],
        [file, '600'],
        [`${file}-wal`, '600'],
        [`${file}-shm`, '600'],
      ]);
    } finally {
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
