import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Resource } from '@medplum/fhirtypes';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type autocannon from 'autocannon';

import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { testEhr } from '../test/ehr-client';
import { onScreeningDay } from '../test/factories';
import { bloodPressure, CODE, patient, quantityObservation } from '../test/fhir-fixtures';
import type { CdsLoad } from './cds-load';
import type { HttpBenchResult } from './http.bench';

const HOST = '127.0.0.1';
const BASE_URL = 'https://bfr.clinic.example';
const PATH = '/cds-services/bfr-screening';
const CONNECTIONS = 16;
const WARMUP_CALLS = 200;
const MEASURED_CALLS = 3_000;

const bundle = (...resources: Resource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

/**
 * CDS Hooks `patient-view` on `bfr-screening` with everything the service asks to prefetch (a
 * healthy runner with a blood pressure, weight and height of the day), so no FHIR server is called.
 * The EHR signs a fresh JWT for every call (each token id is accepted once), all minted before the
 * run; autocannon sends them from a process of its own (`cds-load.ts`), so the service's thread and
 * CPU time are its own: the CPU time this process spends during the run is the service's.
 */
export async function benchCdsPatientView({ rulesDir }: { rulesDir: string }): Promise<HttpBenchResult> {
  const clock = onScreeningDay();
  const ehr = await testEhr(BASE_URL, 'https://ehr.clinic.example', () => clock.now());
  const dataDir = mkdtempSync(join(tmpdir(), 'bfr-rx-bench-cds-'));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dataDir, 'bench.sqlite')}`,
    AUTH_DEV_KEY_FILE: join(dataDir, 'dev-issuer-key.json'),
    LOG_LEVEL: 'silent',
    RULES_DIR: rulesDir,
    RATE_LIMIT_PER_MINUTE: '0',
    // Throughput is measured with every request admitted; shedding is the reliability suite's.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_DATABASE_QUEUE: '0',
    SHED_IN_PROGRESS: '0',
    PUBLIC_BASE_URL: BASE_URL,
    CDS_CLIENTS: JSON.stringify([ehr.client]),
  });
  const app: NestFastifyApplication = await createApp(config, { clock });
  try {
    await app.listen({ port: 0, host: HOST });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://${HOST}:${port}${PATH}`;
    const body = JSON.stringify({
      hookInstance: '6f1c2a52-8f0e-4a8e-9b54-0d7d1f0c6a11',
      hook: 'patient-view',
      context: { userId: 'PractitionerRole/pt-42', patientId: 'pat-7' },
      prefetch: {
        patient: patient(),
        conditions: bundle(),
        bloodPressure: bundle(bloodPressure('bp-1', 124, 78)),
        bodyWeight: bundle(quantityObservation('wt-1', CODE.bodyWeight, 72, 'kg')),
        bodyHeight: bundle(quantityObservation('ht-1', CODE.bodyHeight, 178, 'cm')),
        medications: bundle(),
        procedures: bundle(),
        screeningAnswers: bundle(),
      },
    });
    const tokens = await Promise.all(Array.from({ length: WARMUP_CALLS + MEASURED_CALLS }, () => ehr.jwt(PATH)));
    const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
    for (const token of tokens.splice(0, WARMUP_CALLS)) {
      const res = await fetch(url, { method: 'POST', headers: headers(token), body });
      if (res.status !== 200) {
        throw new Error(
          `POST ${PATH} (patient-view) answered ${res.status}, not 200: ${(await res.text()).slice(0, 1000)}`,
        );
      }
    }
    const cpuBefore = process.cpuUsage();
    const result = await sendFromOwnProcess({ url, body, connections: CONNECTIONS, tokens });
    const cpu = process.cpuUsage(cpuBefore);
    const other = Object.entries(result.statusCodeStats).filter(([status]) => status !== '200');
    if (other.length > 0 || result.errors > 0) {
      throw new Error(
        `POST ${PATH} (patient-view) failed under load: ${other.map(([s, { count }]) => `${count} × ${s}`).join(', ')} ${result.errors} errors`,
      );
    }
    return {
      name: 'CDS Hooks patient-view, full prefetch, EHR JWT',
      method: 'POST',
      path: PATH,
      status: 200,
      connections: CONNECTIONS,
      durationSeconds: Math.round(result.duration),
      requestsPerSecond: result.requests.mean,
      p50Ms: result.latency.p50,
      p90Ms: result.latency.p90,
      p99Ms: result.latency.p99,
      p97_5Ms: result.latency.p97_5,
      non2xx: result.non2xx,
      cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / result.requests.total,
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the load generator in a child process and hands back autocannon's result. */
function sendFromOwnProcess(load: CdsLoad): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'cds-load.ts'), { execArgv: ['-r', '@swc-node/register'] });
    child.once('message', (message: { result?: autocannon.Result; error?: string }) =>
      message.result
        ? resolve(message.result)
        : reject(new Error(`the CDS Hooks load generator failed: ${message.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`the CDS Hooks load generator exited (${code}) without a result`)));
    child.send(load);
  });
}
