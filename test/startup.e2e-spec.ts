import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import request from 'supertest';
import { DataSource } from 'typeorm';

import { RulesetInvalidError } from '../src/rules/loader';
import { editedRulesData, RULES_DATA, ruleById } from './rules-fixtures';
import { startTestApp } from './test-app';

const ROOT = resolve(__dirname, '..');

/** Runs src/main.ts as `npm start` would, with the environment given. */
function startService(env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

/** Resolves once the service's output holds `text`; rejects if it exits first. The test's timeout bounds the wait. */
function outputHolds(service: ReturnType<typeof startService>, text: string): Promise<void> {
  return new Promise((done, fail) => {
    const check = () => {
      if (service.output().includes(text)) {
        service.stdout?.off('data', check);
        service.off('exit', exited);
        done();
      }
    };
    const exited = (code: number | null) =>
      fail(new Error(`the service exited (${code}) before printing "${text}":\n${service.output()}`));
    service.stdout?.on('data', check);
    service.once('exit', exited);
    check();
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.once('error', fail);
  });
}

describe('start-up', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-start-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /health on the embedded defaults, creating the SQLite file and its folder, and logs requests without patient data', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'nested', 'bfr-rx.sqlite')}`,
      AUTH_DEV_KEY_FILE: join(dir, 'nested', 'dev-issuer-key.json'),
      LOG_LEVEL: 'info',
    };
    const service = startService(env);
    const server = request(`http://127.0.0.1:${port}`);
    try {
      await outputHolds(
        service,
        `bfr-rx listening on http://127.0.0.1:${port}; database sqlite:${join(dir, 'nested', 'bfr-rx.sqlite')}; cuffs: 2 simulated cuffs`,
      );
      await server.get('/health').expect(200);

      // A newcomer's path: mint a clinician token with one command and call the API with it.
      const minted = spawnSync(
        process.execPath,
        ['-r', '@swc-node/register', 'scripts/token.ts', '--role', 'clinician'],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8',
        },
      );
      const token = minted.stdout.trim();
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      await server.get('/v1/rules').auth(token, { type: 'bearer' }).expect(200);

      const rejected = await server.get('/v1/rules?patient=MRN-SECRET-1').auth(token, { type: 'bearer' }).expect(400);
      const rejectedBody = await server
        .post('/v1/rules/evaluations')
        .auth(token, { type: 'bearer' })
        .send({ ruleset: 'screening', patientRef: 'MRN-SECRET-2' })
        .expect(400);
      await outputHolds(service, `"id":"${rejected.headers['x-request-id']}"`);
      await outputHolds(service, `"id":"${rejectedBody.headers['x-request-id']}"`);
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.includes('request completed'))
        .map((line) => JSON.parse(line));
      expect(lines).toContainEqual(
        expect.objectContaining({
          req: { id: rejected.headers['x-request-id'], method: 'GET', path: '/v1/rules' },
          res: { statusCode: 400 },
        }),
      );
      expect(service.output()).not.toContain('MRN-SECRET');
      expect(service.output()).not.toContain(token.split('.')[2]);
    } finally {
      service.kill('SIGTERM');
      await exitCode(service);
    }
  }, 30_000);

  it("prints the token command's usage on --help, and names an unknown option", () => {
    const token = (...args: string[]) =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/token.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
    const help = token('--help');
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: npm run token -- --role clinician\|viewer\|gateway\|admin/);
    const unknown = token('--rolle', 'clinician');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--rolle'");
    expect(unknown.stderr).toContain('usage: npm run token');
    expect(unknown.stderr).not.toMatch(/TypeError|\bat .+\.ts:\d+/);
  }, 30_000);

  it('stops with a message naming the variable when the configuration is invalid', async () => {
    const service = startService({ PORT: 'eighty', DATABASE_URL: 'mysql://db' });
    expect(await exitCode(service)).toBe(1);
    expect(service.output()).toContain('PORT: ');
    expect(service.output()).toContain('DATABASE_URL: ');
    expect(service.output()).not.toMatch(/\bat .+\.ts:\d+/);
  }, 30_000);

  it('stops with a message naming file, rule and field when a rule has a typo', async () => {
    const rulesDir = editedRulesData('screening.rules.json', (c) => {
      ruleById(c, 'ci.pregnancy').conditions.all[0].operator = 'equals';
    });
    const service = startService({ RULES_DIR: rulesDir, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` });
    expect(await exitCode(service)).toBe(1);
    expect(service.output()).toContain(
      'screening.rules.json › rule ci.pregnancy › conditions.all.0.operator: unknown operator "equals"',
    );
  }, 30_000);
});

describe('persistence', () => {
  it('refuses to build the application on invalid rules', async () => {
    const rulesDir = editedRulesData('screening.rules.json', (c) => {
      ruleById(c, 'ci.vte-history').evidence = [];
    });
    await expect(startTestApp({ RULES_DIR: rulesDir })).rejects.toThrow(RulesetInvalidError);
  });

  it('runs the migrations on a SQLite file in WAL mode with foreign keys on', async () => {
    const sut = await startTestApp();
    try {
      const db = sut.app.get(DataSource);
      expect(await db.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      const applied = await db.query('SELECT name FROM migrations');
      expect(applied.map((m: { name: string }) => m.name)).toEqual([
        'RulesetVersions1763700000000',
        'AuditEvents1763800000000',
        'IdempotencyKeys1763900000000',
        'Screenings1764000000000',
        'Prescriptions1764100000000',
        'PrescriptionContact1764200000000',
        'DeviceSessions1764300000000',
        'CdsHooks1764400000000',
        'CdsCardPatient1764700000000',
        'AuditCallerRequestId1765050000000',
        'DeviceCommandSequences1765100000000',
        'DeviceLeases1765200000000',
        'PrescriptionTraceSha2561765260000000',
      ]);
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await sut.close();
    }
  });

  it('records the content of the ruleset version it runs, once however often it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-db-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` };
    try {
      const first = await startTestApp(env);
      await first.close();
      const second = await startTestApp(env);
      const rows = await second.app
        .get(DataSource)
        .query('SELECT version, rule_count, content, first_loaded_at FROM ruleset_versions');
      const health = await request(second.http).get('/health');
      await second.close();
      expect(rows).toHaveLength(1);
      expect(rows[0].version).toBe(health.body.checks.rules.rulesetVersion);
      expect(rows[0].rule_count).toBe(health.body.checks.rules.ruleCount);
      expect(Object.keys(JSON.parse(rows[0].content)).sort()).toEqual(
        readdirSync(RULES_DATA)
          .filter((f) => !f.endsWith('.cases.json'))
          .sort(),
      );
      expect(new Date(rows[0].first_loaded_at).toISOString()).toBe(rows[0].first_loaded_at);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
