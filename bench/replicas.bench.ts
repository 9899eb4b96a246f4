/**
 * `POST /v1/screenings` and `POST /v1/prescriptions` through one replica of the service on
 * PostgreSQL, then through two replicas on the same database, each replica a process of its own
 * (scripts/replicas.ts starts them). Needs PostgreSQL (TEST_POSTGRES_URL, by default
 * 127.0.0.1:5432, database `test`); says so and stops when it is out of reach.
 *   npm run bench:replicas
 */
// Nest's decorators need the Reflect metadata API before any module that uses them is loaded.
import 'reflect-metadata';

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import autocannon from 'autocannon';
import { DataSource } from 'typeorm';

import { healthy, spawnReplica } from '../scripts/replicas';
import { mintToken } from '../src/auth/development-issuer';
import { loadConfig } from '../src/config/config';
import { loadPlanCases } from './prescription-cases';
import { loadScreeningCases } from './screening-cases';

const RULES_DIR = resolve(__dirname, '..', 'rules-data');
const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_SECONDS = 3;
const MEASURED_SECONDS = 10;

interface Endpoint {
  name: string;
  path: string;
  body: string;
  connections: number;
}

interface Measured {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The same request as the single-process bench, on today's date: a replica runs on the real clock. */
function onToday(body: unknown, day: string): string {
  const today = new Date().toISOString().slice(0, 10);
  return JSON.stringify(body).replaceAll(day, today);
}

/** Loads one port with `connections`; any answer but 201, or any socket error, fails the run. */
async function load(port: number, endpoint: Endpoint, connections: number, token: string): Promise<Measured> {
  const url = `http://127.0.0.1:${port}${endpoint.path}`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const probe = await fetch(url, { method: 'POST', headers, body: endpoint.body });
  if (probe.status !== 201) {
    throw new Error(`${endpoint.path} on port ${port} answered ${probe.status}: ${(await probe.text()).slice(0, 500)}`);
  }
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: endpoint.body,
    connections,
    pipelining: 1,
    workers: 1,
    duration: MEASURED_SECONDS,
    warmup: { connections, duration: WARMUP_SECONDS },
  });
  const other = Object.entries(result.statusCodeStats).filter(([status]) => status !== '201');
  if (other.length > 0 || result.errors > 0) {
    throw new Error(
      `${endpoint.path} on port ${port} failed under load: ${other.map(([s, { count }]) => `${count} × ${s}`).join(', ')} ${result.errors} errors`,
    );
  }
  return {
    requestsPerSecond: result.requests.mean,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
  };
}

/**
 * The endpoint's connections split evenly over the ports, all loaded at once: the combined
 * throughput is the sum, and each latency the worse of the replicas' (autocannon keeps no raw samples to merge).
 */
async function across(ports: number[], endpoint: Endpoint, token: string): Promise<Measured> {
  const each = await Promise.all(
    ports.map((port) => load(port, endpoint, Math.round(endpoint.connections / ports.length), token)),
  );
  return {
    requestsPerSecond: each.reduce((sum, m) => sum + m.requestsPerSecond, 0),
    p50Ms: Math.max(...each.map((m) => m.p50Ms)),
    p90Ms: Math.max(...each.map((m) => m.p90Ms)),
    p99Ms: Math.max(...each.map((m) => m.p99Ms)),
  };
}

async function reachable(): Promise<string | null> {
  const probe = new DataSource({ type: 'postgres', url: POSTGRES, connectTimeoutMS: 3_000 });
  try {
    await probe.initialize();
    await probe.destroy();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

function row(label: string, endpoint: Endpoint, m: Measured, single?: Measured): string {
  const ratio = single ? ` (${(m.requestsPerSecond / single.requestsPerSecond).toFixed(2)}× one replica)` : '';
  return `| \`POST ${endpoint.path}\` → 201 (${endpoint.name}), ${label}, ${endpoint.connections} connections, ${MEASURED_SECONDS} s | ${integer.format(m.requestsPerSecond)} req/s${ratio} | ${m.p50Ms.toFixed(0)} | ${m.p90Ms.toFixed(0)} | ${m.p99Ms.toFixed(0)} |`;
}

async function main(): Promise<number> {
  const unreachable = await reachable();
  if (unreachable) {
    console.error(`bench:replicas skipped: PostgreSQL at ${POSTGRES} is not reachable (${unreachable})`);
    return 0;
  }
  const [screening] = loadScreeningCases(RULES_DIR);
  const [plan] = loadPlanCases(RULES_DIR);
  const endpoints: Endpoint[] = [
    {
      name: 'screening',
      path: '/v1/screenings',
      body: onToday(screening.request, screening.screenedOn),
      connections: 50,
    },
    { name: 'draft plan', path: '/v1/prescriptions', body: onToday(plan.request, plan.generatedOn), connections: 16 },
  ];

  const schema = `bfr_bench_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-bench-replicas-'));
  const env: Record<string, string> = {
    DATABASE_URL: `${POSTGRES}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    AUTH_DEV_KEY_FILE: join(dir, 'dev-issuer-key.json'),
    LOG_LEVEL: 'error',
    RULES_DIR,
    // The load comes from one address, and throughput is measured with every request admitted.
    RATE_LIMIT_PER_MINUTE: '0',
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_DATABASE_QUEUE: '0',
    SHED_IN_PROGRESS: '0',
  };
  const admin = await new DataSource({ type: 'postgres', url: POSTGRES }).initialize();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  const replicas: ChildProcess[] = [];
  try {
    const config = loadConfig(env);
    if (config.auth.mode !== 'development') {
      throw new Error('the benchmark signs its own token with the development issuer');
    }
    // The first replica runs the migrations and writes the issuer key the second one reads.
    replicas.push(spawnReplica(env, port, '1'));
    await healthy(port);
    const token = await mintToken(config.auth, {
      subject: 'bench',
      tenant: 'bench-clinic',
      roles: ['clinician'],
      ttlSeconds: 3600,
      now: new Date(),
    });
    console.error('one replica…');
    const single: Measured[] = [];
    for (const endpoint of endpoints) {
      single.push(await across([port], endpoint, token));
    }
    replicas.push(spawnReplica(env, port + 1, '2'));
    await healthy(port + 1);
    console.error('two replicas…');
    const pair: Measured[] = [];
    for (const endpoint of endpoints) {
      pair.push(await across([port, port + 1], endpoint, token));
    }
    const cpuList = cpus();
    console.log(
      [
        `Machine: ${cpuList[0]?.model.trim() ?? 'unknown CPU'}, ${cpuList.length} cores, Node ${process.version}, load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at the end, ${new Date().toISOString()}`,
        '',
        '| Target | Throughput | p50 (ms) | p90 (ms) | p99 (ms) |',
        '| --- | ---: | ---: | ---: | ---: |',
        ...endpoints.flatMap((endpoint, i) => [
          row('one replica', endpoint, single[i]),
          row('two replicas', endpoint, pair[i], single[i]),
        ]),
      ].join('\n'),
    );
    return 0;
  } finally {
    await Promise.all(replicas.map(stop));
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

// exitCode rather than exit(): exit() can cut off stdout still being written to a pipe.
main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error('benchmark failed:', error);
    process.exitCode = 1;
  },
);
