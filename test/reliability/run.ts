/**
 * The reliability suite: the real service in a child process, on SQLite or PostgreSQL.
 *   crash:    clients mix every write of the plan lifecycle, the service is killed with SIGKILL at a
 *             random moment and restarted; every acknowledged write must be there as answered, no
 *             refused one applied, and `audit:verify` must pass (tail anchored by the checkpoint).
 *   fuzz:     requests generated from openapi.json on every route: never a 5xx, always problem+json
 *             (OperationOutcome on /cds-services), every validation error naming its field.
 *   overload: a burst of connections far above capacity: 2xx, 503 or 429 only, p99 within 2 s,
 *             and the service answers normally afterwards.
 * Usage: node -r @swc-node/register test/reliability/run.ts [--long] [--db sqlite|postgres] [--report file.json]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import { DataSource } from 'typeorm';

import { mintToken } from '../../src/auth/development-issuer';
import { loadConfig } from '../../src/config/config';
import { prescriptionRequest, screeningRequest } from '../factories';

const args = process.argv.slice(2);
const LONG = args.includes('--long');
const DB = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'sqlite';
/** A file to write the checks' counts to, in the shape of Jest's JSON report (for .ci/run's summary). */
const REPORT = args.includes('--report') ? args[args.indexOf('--report') + 1] : undefined;
const PLAN = LONG
  ? { rounds: 20, clients: 8, secondsPerRound: [3, 10], fuzz: 10_000, overloadConnections: 400, overloadSeconds: 10 }
  : { rounds: 3, clients: 8, secondsPerRound: [2, 5], fuzz: 1_500, overloadConnections: 100, overloadSeconds: 3 };
const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const START_TIMEOUT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-reliability-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
const schema = `bfr_rel_${randomBytes(4).toString('hex')}`;
const env: Record<string, string> = {
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: DB === 'postgres' ? `${POSTGRES}?options=${encodeURIComponent(`-c search_path=${schema}`)}` : `sqlite:${join(dir, 'bfr-rx.sqlite')}`,
  AUDIT_CHECKPOINT_FILE: join(dir, 'audit-checkpoint'),
  AUTH_DEV_KEY_FILE: join(dir, 'dev-issuer-key.json'),
  LOG_LEVEL: 'error',
  RATE_LIMIT_PER_MINUTE: '0',
};
const config = loadConfig(env);

const figures: Record<string, unknown> = { db: DB, form: LONG ? 'long' : 'bounded' };
const failures: string[] = [];
let checks = 0;
const check = (ok: boolean, what: string) => {
  checks++;
  if (!ok) {
    failures.push(what);
    console.error(`FAIL ${what}`);
  }
};

let service: ChildProcess | undefined;

async function start(extra: Record<string, string> = {}): Promise<void> {
  service = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (ok) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service did not start within ${START_TIMEOUT_MS} ms`);
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  const child = service;
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

const token = (subject: string, roles = ['clinician']) =>
  config.auth.mode === 'development' ? mintToken(config.auth, { subject, tenant: 'clinic-north', roles: roles as never, ttlSeconds: 3600, now: new Date() }) : Promise.reject(new Error('development issuer needed'));

interface Answer {
  status: number;
  body: Record<string, unknown> & { id?: string };
  contentType: string;
}

async function call(method: string, path: string, bearer: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Answer | undefined> {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Answer['body'] = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = {};
    }
    return { status: res.status, body: parsed, contentType: res.headers.get('content-type') ?? '' };
  } catch {
    // No answer (the service was killed mid-request): the outcome is unknown, and may be either.
    return undefined;
  }
}

/** What the clients were told about each plan: its status, or that a change of it went unanswered. */
interface PlanState {
  status: string;
  uncertain: boolean;
  body: unknown;
}

async function crashRounds(): Promise<void> {
  const plans = new Map<string, PlanState>();
  const screenings = new Map<string, unknown>();
  let acknowledged = 0;
  let refused = 0;
  const refusedByStatus: Record<number, number> = {};
  const refuse = (status: number) => {
    refused++;
    refusedByStatus[status] = (refusedByStatus[status] ?? 0) + 1;
  };
  let unanswered = 0;
  for (let round = 0; round < PLAN.rounds; round++) {
    await start();
    const [min, max] = PLAN.secondsPerRound;
    const killAt = Date.now() + (min + Math.random() * (max - min)) * 1000;
    let killed = false;
    const client = async (n: number) => {
      const bearer = await token(`dr-${n}`);
      while (!killed) {
        const screening = await call('POST', '/v1/screenings', bearer, screeningRequest());
        if (screening?.status === 201) {
          screenings.set(screening.body.id!, screening.body);
          acknowledged++;
        }
        const key = randomUUID();
        const created = await call('POST', '/v1/prescriptions', bearer, prescriptionRequest(), { 'idempotency-key': key });
        if (!created || created.status !== 201) {
          if (created) {
            refuse(created.status);
          } else {
            unanswered++;
          }
          continue;
        }
        acknowledged++;
        const id = created.body.id!;
        plans.set(id, { status: 'draft', uncertain: false, body: created.body.plan });
        const retried = await call('POST', '/v1/prescriptions', bearer, prescriptionRequest(), { 'idempotency-key': key });
        if (retried && retried.status < 300) {
          check(retried.body.id === id, `an idempotent retry answered the same plan (${id})`);
        }
        const cautions = ((created.body.plan as { cautions: Array<{ id: string }> }).cautions ?? []).map((c) => ({ caution: c.id }));
        const step = Math.random();
        const [path, body, next] =
          step < 0.5
            ? [`/v1/prescriptions/${id}/approve`, { acknowledgements: cautions }, 'approved']
            : step < 0.75
              ? [`/v1/prescriptions/${id}/cancel`, { reason: 'Protocol changed.' }, 'cancelled']
              : [`/v1/prescriptions/${id}/revisions`, prescriptionRequest(), 'draft'];
        const changed = await call('POST', path, bearer, body);
        const plan = plans.get(id)!;
        if (!changed) {
          unanswered++;
          plan.uncertain = true;
        } else if (changed.status < 300) {
          acknowledged++;
          if (path.endsWith('/revisions')) {
            plans.set(changed.body.id!, { status: 'draft', uncertain: false, body: changed.body.plan });
          } else {
            plan.status = next;
          }
        } else {
          refuse(changed.status);
        }
      }
    };
    const clients = Promise.all(Array.from({ length: PLAN.clients }, (_, n) => client(n)));
    await new Promise((resolve) => setTimeout(resolve, killAt - Date.now()));
    killed = true;
    await stop('SIGKILL');
    await clients;
  }
  await start();
  const reader = await token('dr-reader');
  let lost = 0;
  let wrong = 0;
  for (const [id, body] of screenings) {
    const res = await call('GET', `/v1/screenings/${id}`, reader);
    if (res?.status !== 200) {
      lost++;
    } else if (JSON.stringify(res.body.verdict) !== JSON.stringify((body as { verdict: unknown }).verdict)) {
      wrong++;
    }
  }
  for (const [id, plan] of plans) {
    const res = await call('GET', `/v1/prescriptions/${id}`, reader);
    if (res?.status !== 200) {
      lost++;
      continue;
    }
    const statusOk = plan.uncertain || res.body.status === plan.status || (plan.status !== 'cancelled' && res.body.status === 'superseded');
    if (!statusOk || JSON.stringify(res.body.plan) !== JSON.stringify(plan.body)) {
      wrong++;
    }
  }
  await stop('SIGTERM');
  const verify = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/audit-verify.ts'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  figures.crash = { rounds: PLAN.rounds, clients: PLAN.clients, acknowledged, refused, refusedByStatus, unanswered, lost, wrong, auditVerify: (verify.stdout || verify.stderr).trim() };
  check(lost === 0, `${lost} acknowledged writes lost`);
  check(wrong === 0, `${wrong} records differ from what was acknowledged (or a refused change applied)`);
  check(verify.status === 0, `audit:verify exited ${verify.status}`);
}

/** Variants of a request that a client must never be able to turn into a 5xx. */
function hostileValues(): unknown[] {
  return ['', 'a\u0000b', '\ud800', 'x'.repeat(100_000), -1, 1e308, 3.5, true, null, [], {}, [[[[[]]]]], '../../etc/passwd', "' OR 1=1 --", { __proto__: { polluted: true } }];
}

function mutate(value: unknown, depth = 0): unknown {
  const hostile = hostileValues();
  if (value === null || typeof value !== 'object' || depth > 3 || Math.random() < 0.3) {
    return hostile[Math.floor(Math.random() * hostile.length)];
  }
  const copy: Record<string, unknown> = Array.isArray(value) ? ({ ...value } as Record<string, unknown>) : { ...(value as object) };
  const keys = Object.keys(copy);
  if (keys.length > 0) {
    const key = keys[Math.floor(Math.random() * keys.length)];
    copy[key] = Math.random() < 0.2 ? undefined : mutate(copy[key], depth + 1);
  }
  if (Math.random() < 0.2) {
    copy[`unknown${depth}`] = 1;
  }
  return Array.isArray(value) ? Object.values(copy) : copy;
}

async function fuzz(): Promise<void> {
  await start();
  const spec = JSON.parse(readFileSync('openapi.json', 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).filter((m) => ['get', 'post'].includes(m)).map((m) => ({ path, method: m.toUpperCase() })));
  const clinician = await token('fuzz-clinician', ['clinician', 'admin']);
  const bodies = [screeningRequest(), prescriptionRequest(), { acknowledgements: [] }, { reason: 'x' }];
  const pathValues = ['%00', '%C3%28', '%E0%A4%A', 'x'.repeat(300), randomUUID(), '..%2F..', '%F0%9F%98%80', 'a b'];
  const queries = ['', '?limit=-1', '?limit=abc', '?patient=%00', '?after=%C3%28', '?actor=' + 'x'.repeat(5000), '?a=1&a=2', '?%00=1'];
  const contentTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/fhir+json'];
  const counts = { requests: 0, server: 0, notProblem: 0, unnamed: 0, noAnswer: 0 };
  const examples: string[] = [];
  for (let i = 0; i < PLAN.fuzz; i++) {
    const route = routes[i % routes.length];
    const path = route.path.replace(/\{[^}]+\}/g, () => pathValues[Math.floor(Math.random() * pathValues.length)]) + queries[Math.floor(Math.random() * queries.length)];
    const kind = Math.random();
    const body =
      route.method === 'GET'
        ? undefined
        : kind < 0.1
          ? '['.repeat(5000) + ']'.repeat(5000)
          : kind < 0.2
            ? '{"broken": '
            : JSON.stringify(mutate(bodies[Math.floor(Math.random() * bodies.length)]));
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['content-type'] = contentTypes[Math.floor(Math.random() * contentTypes.length)];
    }
    if (Math.random() < 0.2) {
      headers['idempotency-key'] = Math.random() < 0.5 ? randomUUID() : 'bad key';
    }
    const res = await call(route.method, path, Math.random() < 0.85 ? clinician : undefined, body, headers);
    counts.requests++;
    if (!res) {
      counts.noAnswer++;
      continue;
    }
    const cds = path.startsWith('/cds-services');
    if (res.status >= 500) {
      counts.server++;
      examples.push(`${res.status} ${route.method} ${path.slice(0, 80)}`);
    }
    if (res.status >= 400) {
      const expected = cds ? /^application\/fhir\+json/ : /^application\/problem\+json/;
      if (!expected.test(res.contentType)) {
        counts.notProblem++;
        examples.push(`${res.status} ${res.contentType} ${route.method} ${path.slice(0, 80)}`);
      }
      const errors = (res.body.errors ?? []) as Array<{ field?: unknown }>;
      if (res.body.code === 'VALIDATION_FAILED' && (errors.length === 0 || errors.some((e) => typeof e.field !== 'string'))) {
        counts.unnamed++;
        examples.push(`unnamed: ${route.method} ${path.slice(0, 80)} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
  }
  await stop('SIGTERM');
  figures.fuzz = { routes: routes.length, ...counts, examples: examples.slice(0, 5) };
  check(counts.server === 0, `${counts.server} fuzz requests answered 5xx`);
  check(counts.notProblem === 0, `${counts.notProblem} fuzz refusals not problem+json / OperationOutcome`);
  check(counts.unnamed === 0, `${counts.unnamed} validation errors without a field`);
  check(counts.noAnswer === 0, `${counts.noAnswer} fuzz requests got no answer`);
}

async function overload(): Promise<void> {
  await start();
  const bearer = await token('dr-burst');
  const result = await autocannon({
    url: `${base}/v1/screenings`,
    method: 'POST',
    connections: PLAN.overloadConnections,
    duration: PLAN.overloadSeconds,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(screeningRequest()),
  });
  const started = performance.now();
  const health = await call('GET', '/health', undefined);
  const healthMs = Math.round(performance.now() - started);
  // Recovery: within a few seconds of the burst a screening is stored again (polled, bounded).
  let after: Answer | undefined;
  const recoverBy = Date.now() + 5000;
  do {
    after = await call('POST', '/v1/screenings', bearer, screeningRequest());
  } while (after?.status !== 201 && Date.now() < recoverBy);
  await stop('SIGTERM');
  const byStatus = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]));
  figures.overload = {
    connections: PLAN.overloadConnections,
    seconds: PLAN.overloadSeconds,
    byStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    healthAfterMs: healthMs,
    recovered: after?.status,
  };
  const unexpected = Object.keys(byStatus).filter((status) => !/^2..$|^503$|^429$/.test(status));
  check(unexpected.length === 0, `statuses other than 2xx, 503 and 429 under overload: ${unexpected.join(', ')}`);
  check(result.errors === 0 && result.timeouts === 0, `${result.errors} connection errors, ${result.timeouts} time-outs under overload`);
  check(result.latency.p99 <= 2000, `p99 ${result.latency.p99} ms under overload`);
  check(health?.status === 200, '/health answered after the burst');
  check(after?.status === 201, 'a screening is stored after the burst');
}

async function main(): Promise<void> {
  if (DB === 'postgres') {
    const admin = await new DataSource({ type: 'postgres', url: POSTGRES }).initialize();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
  }
  try {
    await crashRounds();
    await fuzz();
    await overload();
  } finally {
    await stop('SIGKILL');
    if (DB === 'postgres') {
      const admin = await new DataSource({ type: 'postgres', url: POSTGRES }).initialize();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures, null, 2));
  console.log(failures.length === 0 ? 'reliability: all checks passed' : `reliability: ${failures.length} checks failed`);
  if (REPORT) {
    writeFileSync(REPORT, JSON.stringify({ numPassedTests: checks - failures.length, numFailedTests: failures.length, figures }));
  }
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  void stop('SIGKILL');
  process.exitCode = 2;
});
