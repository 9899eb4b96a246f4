import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Body, Controller, DynamicModule, HttpCode, Module, Post } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';

import { createApp } from '../src/app';
import { mintToken } from '../src/auth/development-issuer';
import { FixedClock } from '../src/common/clock';
import { ProblemFilter } from '../src/common/problem.filter';
import { RequestValidationPipe } from '../src/common/validation.pipe';
import { APP_CONFIG, type AppConfig, loadConfig } from '../src/config/config';
import { ScreeningRequest } from '../src/screening/screening.schema';
import { loadPlanCases } from './prescription-cases';
import { loadScreeningCases } from './screening-cases';

const HOST = '127.0.0.1';
const CONNECTIONS = 50;
const WARMUP_SECONDS = 3;
const MEASURED_SECONDS = 10;

export interface HttpBenchOptions {
  rulesDir: string;
}

export interface HttpBenchResult {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  status: number;
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Given where the target asks for a p95: autocannon's histogram has p90, p97.5 and p99, and p95 is at most p97.5. */
  p97_5Ms?: number;
  non2xx: number;
  /** The service's CPU time (all its threads) per request, where the load generator runs in another process. */
  cpuMsPerRequest?: number;
}

interface Target {
  name: string;
  /** 50 unless given. */
  connections?: number;
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  token?: string;
  /** The one status every response must have. */
  status: number;
}

@Controller()
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body({ schema: ScreeningRequest }) body: ScreeningRequest): ScreeningRequest {
    return body;
  }
}

/** The service's request validation and error handling with nothing behind them. */
@Module({})
class EchoModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: EchoModule,
      controllers: [EchoController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}

/** Fastify alone: parse the JSON body and send it back, no validation; the HTTP ceiling of this machine. */
async function bareEcho(): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: false });
  server.post('/echo', async (request) => request.body);
  await server.listen({ port: 0, host: HOST });
  const { port } = server.server.address() as AddressInfo;
  return { server, url: `http://${HOST}:${port}` };
}

async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: HOST });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://${HOST}:${port}`;
}

function headersOf(target: Target): Record<string, string> {
  return {
    ...(target.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  };
}

/** Any answer other than the expected status, or any socket error or timeout, makes the numbers meaningless. */
function failures(result: autocannon.Result, expected: number): string[] {
  const statuses = Object.entries(result.statusCodeStats)
    .filter(([status]) => status !== String(expected))
    .map(([status, { count }]) => `${count} × ${status}`);
  return [
    ...(statuses.length > 0
      ? [`responses other than ${expected}: ${statuses.join(', ')} (non-2xx: ${result.non2xx})`]
      : []),
    ...(result.errors > 0 ? [`${result.errors} request errors (${result.timeouts} timeouts)`] : []),
  ];
}

async function bench(target: Target): Promise<HttpBenchResult> {
  const url = `${target.baseUrl}${target.path}`;
  const label = `${target.method} ${target.path} (${target.name})`;

  // One request first, so a broken endpoint fails with its own answer rather than only a count.
  const probe = await fetch(url, { method: target.method, headers: headersOf(target), body: target.body });
  if (probe.status !== target.status) {
    throw new Error(`${label} answered ${probe.status}, not ${target.status}: ${(await probe.text()).slice(0, 1000)}`);
  }

  const connections = target.connections ?? CONNECTIONS;
  const result = await autocannon({
    url,
    method: target.method,
    headers: headersOf(target),
    body: target.body,
    connections,
    pipelining: 1,
    // The load generator runs in a worker thread so it does not share the server's event loop.
    workers: 1,
    duration: MEASURED_SECONDS,
    warmup: { connections, duration: WARMUP_SECONDS },
  });
  const problems = [
    ...failures(result, target.status),
    ...(result.warmup ? failures(result.warmup, target.status).map((p) => `warm-up: ${p}`) : []),
  ];
  if (problems.length > 0) {
    throw new Error(`${label} failed under load:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    name: target.name,
    method: target.method,
    path: target.path,
    status: target.status,
    connections,
    durationSeconds: MEASURED_SECONDS,
    requestsPerSecond: result.requests.mean,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/**
 * Loads the service over HTTP on 127.0.0.1, one endpoint at a time: a bare Fastify echo of the same
 * body (the machine's HTTP ceiling), a validation-only echo app, then the real screening, plan and
 * health endpoints on the full application with a fresh SQLite file.
 */
export async function benchHttp({ rulesDir }: HttpBenchOptions): Promise<HttpBenchResult[]> {
  const [firstCase] = loadScreeningCases(rulesDir);
  const screeningBody = JSON.stringify(firstCase.request);
  const [planCase] = loadPlanCases(rulesDir);
  const prescriptionBody = JSON.stringify(planCase.request);

  const dataDir = mkdtempSync(join(tmpdir(), 'bfr-rx-bench-'));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dataDir, 'bench.sqlite')}`,
    AUTH_DEV_KEY_FILE: join(dataDir, 'dev-issuer-key.json'),
    LOG_LEVEL: 'silent',
    RULES_DIR: rulesDir,
    // The load comes from one address: with the limiter on, nearly every request would be a 429.
    RATE_LIMIT_PER_MINUTE: '0',
    // Throughput is measured with every request admitted; shedding is the reliability suite's.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_DATABASE_QUEUE: '0',
    SHED_IN_PROGRESS: '0',
  });
  if (config.auth.mode !== 'development') {
    throw new Error('the benchmark signs its own token with the development issuer');
  }
  const apps: NestFastifyApplication[] = [];
  const bare = await bareEcho();
  try {
    const echoApp = await NestFactory.create<NestFastifyApplication>(
      EchoModule.forConfig(config),
      new FastifyAdapter(),
      { logger: false },
    );
    apps.push(echoApp);
    // The plan case's dates are counted to its own day, as in the golden case.
    const fullApp = await createApp(config, {
      clock: new FixedClock(new Date(`${planCase.generatedOn}T12:00:00.000Z`)),
    });
    apps.push(fullApp);
    const token = await mintToken(config.auth, {
      subject: 'bench',
      tenant: 'bench-clinic',
      roles: ['clinician'],
      ttlSeconds: 3600,
      now: new Date(),
    });
    const echoUrl = await listen(echoApp);
    const fullUrl = await listen(fullApp);

    const targets: Target[] = [
      {
        name: 'bare Fastify echo',
        baseUrl: bare.url,
        method: 'POST',
        path: '/echo',
        body: prescriptionBody,
        status: 200,
      },
      { name: 'validated echo', baseUrl: echoUrl, method: 'POST', path: '/echo', body: screeningBody, status: 200 },
      {
        name: 'screening',
        baseUrl: fullUrl,
        method: 'POST',
        path: '/v1/screenings',
        body: screeningBody,
        token,
        status: 201,
      },
      {
        name: 'draft plan',
        connections: 16,
        baseUrl: fullUrl,
        method: 'POST',
        path: '/v1/prescriptions',
        body: prescriptionBody,
        token,
        status: 201,
      },
      {
        name: 'draft plan',
        baseUrl: fullUrl,
        method: 'POST',
        path: '/v1/prescriptions',
        body: prescriptionBody,
        token,
        status: 201,
      },
      { name: 'health check', baseUrl: fullUrl, method: 'GET', path: '/health', status: 200 },
    ];
    const results: HttpBenchResult[] = [];
    for (const target of targets) {
      results.push(await bench(target));
    }
    return results;
  } finally {
    await bare.server.close();
    for (const app of apps) {
      await app.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
