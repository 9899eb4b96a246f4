/**
 * The reliability suite: the real service in a child process, on SQLite or PostgreSQL.
 *   crash:    clients mix every write (screenings, prescriptions with idempotent retries, approvals,
 *             revisions, cancellations, CDS hook calls and feedback from an EHR, LOP measurements on
 *             the simulated cuffs), the service is killed with SIGKILL at a random moment and restarted; every acknowledged write must be there as answered, no
 *             refused one applied, and `audit:verify` must pass (tail anchored by the checkpoint).
 *   fuzz:     requests generated from openapi.json on every route: never a 5xx, always problem+json
 *             (OperationOutcome on /cds-services), every validation error naming its field.
 *   overload: a burst of connections far above capacity, from autocannon in its own process: 2xx,
 *             503 or 429 only, p99 within 2 s, no resets, /health fast throughout, and the service
 *             answers normally afterwards.
 * Usage: node -r @swc-node/register test/reliability/run.ts [--long] [--db sqlite|postgres] [--report file.json] [--only crash|fuzz|overload]
 * The service's log goes to service.log in the run's folder, which is kept when a check fails.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DataSource } from 'typeorm';

import { mintToken } from '../../src/auth/development-issuer';
import { loadConfig } from '../../src/config/config';
import type { CdsCard } from '../../src/ehr/cds-hooks/cds-hooks.schema';
import { testEhr, type TestEhr } from '../ehr-client';
import { prescriptionRequest, screeningRequest } from '../factories';
import { bloodPressure, CODE, condition, patient, quantityObservation } from '../fhir-fixtures';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const LONG = args.includes('--long');
const DB = option('--db') ?? 'sqlite';
/** A file to write the checks' counts to, in the shape of Jest's JSON report (for .ci/run's summary). */
const REPORT = option('--report');
/** One part only (crash, fuzz or overload), to look into a failure. */
const ONLY = option('--only');
/**
 * The simulated cuffs work in real time: after a restart a cuff self-tests, then an LOP search takes
 * about 13 s (at the 50 mmHg LOP set below), 30 s in all. Every `lopRoundEvery`-th round lasts
 * `secondsPerLopRound` so that measurements are answered, and killed at any moment of them.
 */
const PLAN = LONG
  ? {
      rounds: 20,
      clients: 8,
      secondsPerRound: [3, 10],
      lopRoundEvery: 5,
      secondsPerLopRound: [40, 60],
      fuzz: 10_000,
      overloadConnections: 400,
      overloadSeconds: 10,
    }
  : {
      rounds: 3,
      clients: 8,
      secondsPerRound: [2, 5],
      lopRoundEvery: 3,
      secondsPerLopRound: [40, 50],
      fuzz: 1_500,
      overloadConnections: 100,
      overloadSeconds: 3,
    };
const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const START_TIMEOUT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-reliability-'));
/** Everything the service wrote, across its restarts: read back when a check fails. */
const serviceLog = join(dir, 'service.log');
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
const schema = `bfr_rel_${randomBytes(4).toString('hex')}`;
/** The EHR calling the CDS services, trusted through its key in CDS_CLIENTS (set in main). */
let ehr: TestEhr;
/** The simulated cuffs, each measured by a client of its own: an LOP search takes seconds and holds the cuff. */
const LOP_CUFFS = ['cuff-1', 'cuff-2'];
const env: Record<string, string> = {
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_BASE_URL: base,
  CUFF_SIM_DEVICES: String(LOP_CUFFS.length),
  // A low LOP makes the cuffs' search short (the search inflates step by step up to it).
  CUFF_SIM_LOP_MMHG: '50,50',
  DATABASE_URL:
    DB === 'postgres'
      ? `${POSTGRES}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
      : `sqlite:${join(dir, 'bfr-rx.sqlite')}`,
  AUDIT_CHECKPOINT_FILE: join(dir, 'audit-checkpoint'),
  AUTH_DEV_KEY_FILE: join(dir, 'dev-issuer-key.json'),
  // Refusals and failures (4xx at warn, 5xx at error), not every answer.
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '0',
  SHED_IN_PROGRESS: '64',
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
  const log = openSync(serviceLog, 'a');
  service = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    env: { ...process.env, ...env, ...extra },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
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
  config.auth.mode === 'development'
    ? mintToken(config.auth, {
        subject,
        tenant: 'clinic-north',
        roles: roles as never,
        ttlSeconds: 3600,
        now: new Date(),
      })
    : Promise.reject(new Error('development issuer needed'));

interface Answer {
  status: number;
  body: Record<string, unknown> & { id?: string };
  contentType: string;
}

async function call(
  method: string,
  path: string,
  bearer: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer | undefined> {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
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

/** A 503 of load shedding: the service did nothing and asks to be asked again later. */
const wasShed = (answer: Answer | undefined) =>
  answer?.status === 503 && /The service is overloaded/.test(JSON.stringify(answer.body));

/**
 * A call repeated while it is shed (a loaded machine can put the service's event loop behind):
 * for reading back what was stored, and for the fuzz, whose answers are about the request itself.
 */
async function callUnlessShed(...args: Parameters<typeof call>): Promise<{ answer: Answer | undefined; shed: number }> {
  let shed = 0;
  for (;;) {
    const answer = await call(...args);
    if (!wasShed(answer) || shed >= 20) {
      return { answer, shed };
    }
    shed++;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the clients were told about each plan: its status, or that a change of it went unanswered. */
interface PlanState {
  status: string;
  uncertain: boolean;
  body: unknown;
}

/** How a write that is not a plan was answered: stored (with what was answered), refused, or unanswered. */
type Outcome<T> = { answer: 'stored'; stored: T } | { answer: 'refused' | 'unanswered' };

const bundle = (...resources: unknown[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

/** What the screening service asks to prefetch, for a patient with a deep vein thrombosis: it answers with a card to override. */
const cdsPrefetch = () => ({
  patient: patient(),
  conditions: bundle(condition('c-12', CODE.dvt)),
  bloodPressure: bundle(bloodPressure('bp-1', 124, 78)),
  bodyWeight: bundle(quantityObservation('wt-1', CODE.bodyWeight, 72, 'kg')),
  bodyHeight: bundle(quantityObservation('ht-1', CODE.bodyHeight, 178, 'cm')),
  medications: bundle(),
  procedures: bundle(),
  screeningAnswers: bundle(),
});

/** A call from the EHR, with a JWT made for that one call. */
const fromEhr = async (path: string, body: unknown) =>
  call('POST', path, await ehr.jwt(path, { claims: { sub: 'ehr-client-1' } }), body);

/** Reads the service's database directly, once the service has stopped. */
async function queryStored(sql: string): Promise<Array<Record<string, unknown>>> {
  const source = await new DataSource(
    DB === 'postgres'
      ? { type: 'postgres', url: env.DATABASE_URL }
      : { type: 'sqlite', database: env.DATABASE_URL.slice('sqlite:'.length) },
  ).initialize();
  try {
    return await source.query(sql);
  } finally {
    await source.destroy();
  }
}

/** The records the killed service left. */
const storedRows = (table: 'lop_measurements' | 'cds_feedback') => queryStored(`SELECT * FROM ${table}`);

/** How many screenings are stored (none before the service first started). */
async function storedScreenings(): Promise<number> {
  const [{ n }] = await queryStored('SELECT COUNT(*) AS n FROM screenings').catch(() => [{ n: 0 }]);
  return Number(n);
}

async function crashRounds(): Promise<void> {
  const plans = new Map<string, PlanState>();
  const screenings = new Map<string, unknown>();
  /** Feedback by card: what was sent about it and how it was answered. */
  const feedback = new Map<string, Outcome<{ code: string; outcomeAt: string }>>();
  /** Cards the EHR was given and has not yet sent feedback on; feedback may come rounds (and restarts) later. */
  const cards: CdsCard[] = [];
  /** LOP measurements by the patient reference each request carried (unique per request). */
  const measurements = new Map<string, Outcome<Record<string, unknown>>>();
  let acknowledged = 0;
  let refused = 0;
  const refusedByStatus: Record<number, number> = {};
  const refuse = (status: number) => {
    refused++;
    refusedByStatus[status] = (refusedByStatus[status] ?? 0) + 1;
  };
  let unanswered = 0;
  /** Acknowledged CDS cards the service no longer knew when their feedback came. */
  let cardsForgotten = 0;
  const writes: Record<string, number> = {};
  const count = (what: string) => (writes[what] = (writes[what] ?? 0) + 1);
  for (let round = 0; round < PLAN.rounds; round++) {
    await start();
    const [min, max] =
      round % PLAN.lopRoundEvery === PLAN.lopRoundEvery - 1 ? PLAN.secondsPerLopRound : PLAN.secondsPerRound;
    const killAt = Date.now() + (min + Math.random() * (max - min)) * 1000;
    let killed = false;
    /** The EHR: a patient-view call that gives a card, then feedback on a card it holds (valid, or with a reason the card did not offer). */
    const cdsStep = async () => {
      const hook = await fromEhr('/cds-services/bfr-screening', {
        hook: 'patient-view',
        hookInstance: randomUUID(),
        context: { userId: 'PractitionerRole/pt-42', patientId: 'pat-7' },
        prefetch: cdsPrefetch(),
      });
      if (!hook) {
        unanswered++;
      } else if (hook.status === 200) {
        acknowledged++;
        count('cds hook');
        cards.push(...((hook.body.cards ?? []) as CdsCard[]).filter((card) => (card.overrideReasons ?? []).length > 0));
      } else {
        refuse(hook.status);
      }
      const card = cards.splice(Math.floor(Math.random() * cards.length), 1)[0];
      if (!card) {
        return;
      }
      const valid = Math.random() < 0.85;
      const code = valid ? card.overrideReasons![0].code : 'not-offered';
      const outcomeAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
      const sent = await fromEhr('/cds-services/bfr-screening/feedback', {
        feedback: [
          {
            card: card.uuid,
            outcome: 'overridden',
            overrideReason: { reason: { system: card.overrideReasons![0].system, code } },
            outcomeTimestamp: outcomeAt,
          },
        ],
      });
      if (!sent) {
        unanswered++;
        feedback.set(card.uuid, { answer: 'unanswered' });
      } else if (sent.status === 200) {
        acknowledged++;
        count('cds feedback');
        feedback.set(card.uuid, { answer: 'stored', stored: { code, outcomeAt } });
      } else {
        refuse(sent.status);
        feedback.set(card.uuid, { answer: 'refused' });
        const field = ((sent.body.issue ?? []) as Array<{ expression?: string[] }>).flatMap(
          (issue) => issue.expression ?? [],
        );
        if (valid && field.some((f) => f.endsWith('.card'))) {
          cardsForgotten++;
        }
      }
    };
    const client = async (n: number) => {
      const bearer = await token(`dr-${n}`);
      while (!killed) {
        const screening = await call('POST', '/v1/screenings', bearer, screeningRequest());
        if (screening?.status === 201) {
          screenings.set(screening.body.id!, screening.body);
          acknowledged++;
          count('screening');
        }
        if (Math.random() < 0.25) {
          await cdsStep();
        }
        const key = randomUUID();
        const created = await call('POST', '/v1/prescriptions', bearer, prescriptionRequest(), {
          'idempotency-key': key,
        });
        if (!created || created.status !== 201) {
          if (created) {
            refuse(created.status);
          } else {
            unanswered++;
          }
          continue;
        }
        acknowledged++;
        count('prescription');
        const id = created.body.id!;
        plans.set(id, { status: 'draft', uncertain: false, body: created.body.plan });
        const retried = await call('POST', '/v1/prescriptions', bearer, prescriptionRequest(), {
          'idempotency-key': key,
        });
        if (retried && retried.status < 300) {
          check(retried.body.id === id, `an idempotent retry answered the same plan (${id})`);
        }
        const cautions = ((created.body.plan as { cautions: Array<{ id: string }> }).cautions ?? []).map((c) => ({
          caution: c.id,
        }));
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
          count(path.split('/').pop()!);
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
    /** One LOP measurement with the cuff, for a patient reference of its own. */
    const measure = async (deviceId: string, bearer: string) => {
      const patientRef = `lop-${randomUUID()}`;
      const measured = await call(
        'POST',
        `/v1/devices/${deviceId}/lop-measurements`,
        bearer,
        { patientRef, channel: 'A', site: { limb: 'thigh', side: 'left' }, cuffWidthCm: 11.5, posture: 'supine' },
        { 'idempotency-key': randomUUID() },
      );
      if (!measured) {
        unanswered++;
        measurements.set(patientRef, { answer: 'unanswered' });
      } else if (measured.status === 201) {
        acknowledged++;
        count('lop measurement');
        measurements.set(patientRef, { answer: 'stored', stored: measured.body });
      } else {
        refuse(measured.status);
        measurements.set(patientRef, { answer: 'refused' });
      }
      return measured?.status;
    };
    /**
     * A clinician measuring LOPs with one cuff, one after the other; a second one asks for the same
     * cuff while it searches, and is refused (DEVICE_BUSY).
     */
    const lopClient = async (deviceId: string) => {
      const bearer = await token(`dr-lop-${deviceId}`);
      const other = await token(`dr-lop-${deviceId}-other`);
      while (!killed) {
        const intruder = new Promise((resolve) => setTimeout(resolve, 1000)).then(() =>
          killed ? undefined : measure(deviceId, other),
        );
        const status = await measure(deviceId, bearer);
        await intruder;
        if (status !== 201) {
          // A cuff still busy or offline after the restart: wait a little before asking again.
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    const clients = Promise.all([
      ...Array.from({ length: PLAN.clients }, (_, n) => client(n)),
      ...LOP_CUFFS.map((deviceId) => lopClient(deviceId)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, killAt - Date.now()));
    killed = true;
    await stop('SIGKILL');
    await clients;
  }
  await start();
  const reader = await token('dr-reader');
  let lost = 0;
  let wrong = 0;
  let refusedApplied = 0;
  const lostExamples: string[] = [];
  for (const [id, body] of screenings) {
    const { answer: res } = await callUnlessShed('GET', `/v1/screenings/${id}`, reader);
    if (res?.status !== 200) {
      lost++;
      lostExamples.push(`screening ${id}: ${res?.status ?? 'no answer'}`);
    } else if (JSON.stringify(res.body.verdict) !== JSON.stringify((body as { verdict: unknown }).verdict)) {
      wrong++;
    }
  }
  for (const [id, plan] of plans) {
    const { answer: res } = await callUnlessShed('GET', `/v1/prescriptions/${id}`, reader);
    if (res?.status !== 200) {
      lost++;
      lostExamples.push(`plan ${id}: ${res?.status ?? 'no answer'}`);
      continue;
    }
    const statusOk =
      plan.uncertain ||
      res.body.status === plan.status ||
      (plan.status !== 'cancelled' && res.body.status === 'superseded');
    if (!statusOk || JSON.stringify(res.body.plan) !== JSON.stringify(plan.body)) {
      wrong++;
    }
  }
  await stop('SIGTERM');
  // Feedback and LOP measurements have no read route: their rows are compared with the answers.
  const feedbackRows = await storedRows('cds_feedback');
  for (const [card, outcome] of feedback) {
    const rows = feedbackRows.filter((row) => row.card_uuid === card);
    if (outcome.answer === 'stored') {
      if (rows.length === 0) {
        lost++;
        lostExamples.push(`feedback on card ${card}`);
      } else if (
        rows.some(
          (row) =>
            row.override_code !== outcome.stored.code ||
            new Date(String(row.outcome_at)).toISOString() !== outcome.stored.outcomeAt,
        )
      ) {
        wrong++;
      }
    } else if (outcome.answer === 'refused' && rows.length > 0) {
      refusedApplied++;
    }
  }
  const lopRows = new Map((await storedRows('lop_measurements')).map((row) => [String(row.patient_ref), row]));
  for (const [patientRef, outcome] of measurements) {
    const row = lopRows.get(patientRef);
    if (outcome.answer === 'stored') {
      const answered = outcome.stored;
      if (!row) {
        lost++;
        lostExamples.push(`LOP measurement ${answered.id}`);
      } else if (
        row.id !== answered.id ||
        Number(row.mmhg) !== answered.mmHg ||
        row.device_id !== answered.deviceId ||
        row.channel !== answered.channel ||
        Number(row.cuff_width_cm) !== answered.cuffWidthCm
      ) {
        wrong++;
      }
    } else if (outcome.answer === 'refused' && row) {
      refusedApplied++;
    }
  }
  const verify = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/audit-verify.ts'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  figures.crash = {
    rounds: PLAN.rounds,
    clients: PLAN.clients + LOP_CUFFS.length,
    acknowledged,
    writes,
    refused,
    refusedByStatus,
    unanswered,
    lost,
    ...(lostExamples.length > 0 ? { lostExamples: lostExamples.slice(0, 10) } : {}),
    wrong,
    refusedApplied,
    cardsForgotten,
    auditVerify: (verify.stdout || verify.stderr).trim(),
  };
  check(lost === 0, `${lost} acknowledged writes lost`);
  check(wrong === 0, `${wrong} records differ from what was acknowledged (or a refused change applied)`);
  check(refusedApplied === 0, `${refusedApplied} refused writes (CDS feedback, LOP measurements) stored`);
  check(
    cardsForgotten === 0,
    `${cardsForgotten} acknowledged CDS cards unknown to the service when their feedback came`,
  );
  for (const what of ['cds feedback', 'lop measurement']) {
    check((writes[what] ?? 0) > 0, `the mix acknowledged at least one ${what}`);
  }
  check(verify.status === 0, `audit:verify exited ${verify.status}`);
}

/** Variants of a request that a client must never be able to turn into a 5xx. */
function hostileValues(): unknown[] {
  return [
    '',
    'a\u0000b',
    '\ud800',
    'x'.repeat(100_000),
    -1,
    1e308,
    3.5,
    true,
    null,
    [],
    {},
    [[[[[]]]]],
    '../../etc/passwd',
    "' OR 1=1 --",
    { __proto__: { polluted: true } },
  ];
}

function mutate(value: unknown, depth = 0): unknown {
  const hostile = hostileValues();
  if (value === null || typeof value !== 'object' || depth > 3 || Math.random() < 0.3) {
    return hostile[Math.floor(Math.random() * hostile.length)];
  }
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ({ ...value } as Record<string, unknown>)
    : { ...(value as object) };
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
  const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post'].includes(m))
      .map((m) => ({ path, method: m.toUpperCase() })),
  );
  const clinician = await token('fuzz-clinician', ['clinician', 'admin']);
  const bodies = [screeningRequest(), prescriptionRequest(), { acknowledgements: [] }, { reason: 'x' }];
  const pathValues = ['%00', '%C3%28', '%E0%A4%A', 'x'.repeat(300), randomUUID(), '..%2F..', '%F0%9F%98%80', 'a b'];
  const queries = [
    '',
    '?limit=-1',
    '?limit=abc',
    '?patient=%00',
    '?after=%C3%28',
    '?actor=' + 'x'.repeat(5000),
    '?a=1&a=2',
    '?%00=1',
  ];
  const contentTypes = [
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
    'application/fhir+json',
  ];
  const counts = { requests: 0, shed: 0, server: 0, notProblem: 0, unnamed: 0, noAnswer: 0 };
  const examples: string[] = [];
  for (let i = 0; i < PLAN.fuzz; i++) {
    const route = routes[i % routes.length];
    const path =
      route.path.replace(/\{[^}]+\}/g, () => pathValues[Math.floor(Math.random() * pathValues.length)]) +
      queries[Math.floor(Math.random() * queries.length)];
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
    const { answer: res, shed } = await callUnlessShed(
      route.method,
      path,
      Math.random() < 0.85 ? clinician : undefined,
      body,
      headers,
    );
    counts.requests++;
    counts.shed += shed;
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
      if (
        res.body.code === 'VALIDATION_FAILED' &&
        (errors.length === 0 || errors.some((e) => typeof e.field !== 'string'))
      ) {
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

/** autocannon's JSON result, the parts read here. */
interface BurstResult {
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  resets?: number;
  latency: { p50: number; p99: number; max: number };
  requests: { total: number };
}

/**
 * The burst, from autocannon in a process of its own: in this one it would share an event loop
 * with the /health probe and with the suite, and both would measure each other.
 */
async function burst(bearer: string): Promise<BurstResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      require.resolve('autocannon/autocannon.js'),
      '--json',
      '--no-progress',
      ...[
        '--connections',
        String(PLAN.overloadConnections),
        '--duration',
        String(PLAN.overloadSeconds),
        '--timeout',
        '10',
      ],
      ...[
        '--method',
        'POST',
        '--headers',
        `authorization=Bearer ${bearer}`,
        '--headers',
        'content-type=application/json',
        '--body',
        JSON.stringify(screeningRequest()),
      ],
      `${base}/v1/screenings`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as BurstResult;
}

async function overload(): Promise<void> {
  const before = await storedScreenings();
  await start();
  const bearer = await token('dr-burst');
  // /health is asked every 250 ms during the burst: it must stay fast while the screenings are shed.
  const healthMs: number[] = [];
  let bursting = true;
  const probe = (async () => {
    while (bursting) {
      const started = performance.now();
      const health = await call('GET', '/health', undefined);
      healthMs.push(health?.status === 200 ? Math.round(performance.now() - started) : Infinity);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const result = await burst(bearer).finally(() => (bursting = false));
  await probe;
  // Recovery: within a few seconds of the burst a screening is stored again (polled, bounded).
  let after: Answer | undefined;
  const recoverBy = Date.now() + 5000;
  do {
    after = await call('POST', '/v1/screenings', bearer, screeningRequest());
  } while (after?.status !== 201 && Date.now() < recoverBy);
  await stop('SIGTERM');
  const byStatus = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  const acknowledged = (byStatus['201'] ?? 0) + (after?.status === 201 ? 1 : 0);
  const stored = (await storedScreenings()) - before;
  const healthSorted = [...healthMs].sort((a, b) => a - b);
  const healthMaxMs = healthSorted.at(-1) ?? Infinity;
  figures.overload = {
    connections: PLAN.overloadConnections,
    seconds: PLAN.overloadSeconds,
    requests: result.requests.total,
    byStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets ?? 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    health: {
      probes: healthMs.length,
      medianMs: healthSorted[Math.floor(healthSorted.length / 2)],
      maxMs: healthMaxMs,
    },
    recovered: after?.status,
    stored,
  };
  const unexpected = Object.keys(byStatus).filter((status) => !/^2..$|^503$|^429$/.test(status));
  check(unexpected.length === 0, `statuses other than 2xx, 503 and 429 under overload: ${unexpected.join(', ')}`);
  check(
    result.errors === 0 && result.timeouts === 0 && (result.resets ?? 0) === 0,
    `${result.errors} connection errors, ${result.timeouts} time-outs, ${result.resets ?? 0} resets under overload`,
  );
  check(result.latency.p99 <= 2000, `p99 ${result.latency.p99} ms under overload`);
  // Shedding is for the sake of the requests admitted: they are answered during the burst, not starved.
  check(
    (byStatus['201'] ?? 0) > 0,
    `no screening was acknowledged during the burst (${result.requests.total} answers)`,
  );
  check(healthMaxMs <= 1000, `/health took up to ${healthMaxMs} ms during the burst (${healthMs.length} probes)`);
  check(after?.status === 201, 'a screening is stored after the burst');
  // Requests still in progress when autocannon stops are stored unanswered: at most the bound on them.
  const inProgressBound = Number(env.SHED_IN_PROGRESS);
  check(
    stored >= acknowledged && stored <= acknowledged + inProgressBound,
    `${stored} screenings stored during the burst, ${acknowledged} acknowledged (and at most ${inProgressBound} in progress when it stopped)`,
  );
}

/**
 * The lines of the service's log that explain a failure, shortened: error-level lines and 5xx
 * answers, and whatever is not a log record (a crash's stack trace, a warning of Node).
 */
function logExcerpt(): string[] {
  if (!existsSync(serviceLog)) {
    return [];
  }
  const lines = readFileSync(serviceLog, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      let entry: {
        level?: number;
        time?: number;
        msg?: string;
        req?: { method?: string; path?: string };
        res?: { statusCode?: number };
        err?: { type?: string; message?: string; stack?: string };
      };
      try {
        entry = JSON.parse(line);
      } catch {
        return [line];
      }
      const status = entry.res?.statusCode ?? 0;
      // A 503 says the service was short of something for now and did nothing: a refusal, not a defect.
      if ((entry.level ?? 0) < 50 && (status < 500 || status === 503)) {
        return [];
      }
      const where = entry.req ? ` ${entry.req.method} ${entry.req.path} -> ${status}` : '';
      const error = entry.err
        ? ` ${entry.err.type}: ${entry.err.message} ${entry.err.stack?.split('\n')[1]?.trim() ?? ''}`
        : '';
      return [`${new Date(entry.time ?? 0).toISOString()} ${entry.msg}${where}${error}`];
    });
  return lines;
}

async function main(): Promise<void> {
  ehr = await testEhr(base);
  env.CDS_CLIENTS = JSON.stringify([{ ...ehr.client, tenant: 'clinic-north' }]);
  if (DB === 'postgres') {
    const admin = await new DataSource({ type: 'postgres', url: POSTGRES }).initialize();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
  }
  try {
    for (const [part, run] of [
      ['crash', crashRounds],
      ['fuzz', fuzz],
      ['overload', overload],
    ] as const) {
      if (!ONLY || ONLY === part) {
        await run();
      }
    }
  } finally {
    await stop('SIGKILL');
    if (DB === 'postgres') {
      const admin = await new DataSource({ type: 'postgres', url: POSTGRES }).initialize();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    }
  }
  const errors = logExcerpt();
  figures.serviceErrors = errors.length;
  check(errors.length === 0, `the service logged ${errors.length} errors or 5xx answers`);
  console.log(JSON.stringify(figures, null, 2));
  if (failures.length === 0) {
    rmSync(dir, { recursive: true, force: true });
    console.log('reliability: all checks passed');
  } else {
    // The folder stays, with the service's log and database, for whoever looks into the failure.
    console.error(`The service's log (${serviceLog}), error-level lines and 5xx answers:`);
    console.error(
      [...errors.slice(0, 40), ...(errors.length > 40 ? [`... and ${errors.length - 40} more`] : [])].join('\n'),
    );
    console.log(`reliability: ${failures.length} checks failed`);
  }
  if (REPORT) {
    writeFileSync(
      REPORT,
      JSON.stringify({ numPassedTests: checks - failures.length, numFailedTests: failures.length, figures }),
    );
  }
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  void stop('SIGKILL');
  process.exitCode = 2;
});
