import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

import { SERVICE_USERNAME } from '../device-adapter/mqtt/broker-access';
import { Secret } from './secret';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Where the service keeps its records: an embedded SQLite file, or a PostgreSQL server. */
export type DatabaseTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string };

const databaseUrl = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx): DatabaseTarget => {
    if (/^postgres(ql)?:\/\//.test(value)) {
      if (!URL.canParse(value)) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid postgres:// URL' });
        return z.NEVER;
      }
      return { kind: 'postgres', url: value };
    }
    if (value.startsWith('sqlite:')) {
      const file = value.slice('sqlite:'.length);
      if (file.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'names no file after "sqlite:"' });
        return z.NEVER;
      }
      return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must start with "sqlite:" (e.g. sqlite:data/bfr-rx.sqlite) or "postgres://"',
    });
    return z.NEVER;
  });

/** Key sets and EHR FHIR servers are reached over TLS; plain http only on this machine (development and tests). */
const secureUrl = z
  .url({ protocol: /^https?$/ })
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopback(url.hostname);
  }, 'must be an https URL (http only for localhost)');

const PublicJwk = z
  .looseObject({ kty: z.enum(['EC', 'RSA']), kid: z.string().min(1) })
  .refine((jwk) => !('d' in jwk), 'is a private key; configure the public key only');

/** An EHR allowed to call the CDS services, and where its signing keys are. */
const CdsClient = z
  .strictObject({
    issuer: z.string().trim().min(1),
    jwksUrl: secureUrl.optional(),
    jwks: z.strictObject({ keys: z.array(PublicJwk).min(1) }).optional(),
    jku: z.array(secureUrl).default([]),
    /** FHIR base URLs the service may read with the access token this EHR sends (`fhirServer`); none by default. */
    fhirServers: z.array(secureUrl.transform((url) => url.replace(/\/+$/, ''))).default([]),
    /** The bfr-rx organization the EHR serves: its admins see the EHR's calls in the audit trail. */
    tenant: z.string().trim().min(1).max(200).optional(),
  })
  .refine((client) => client.jwksUrl !== undefined || client.jwks !== undefined || client.jku.length > 0, 'needs jwksUrl, jwks or jku: where its keys are');
export type CdsClient = z.infer<typeof CdsClient>;

const jsonText = z.string().transform((value, ctx): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
});

const originList = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be a comma-separated list of http(s) origins' })));

/** A PEM file named by a variable or option: it must be readable and hold what it is for. */
export const pemFile = (holds: 'certificate' | 'private key') =>
  z
    .string()
    .trim()
    .min(1)
    .transform((path, ctx) => {
      const file = resolve(path);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})` });
        return z.NEVER;
      }
      const marker = holds === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;
      if (!marker.test(text)) {
        ctx.addIssue({ code: 'custom', message: `is not a PEM ${holds} file${holds === 'private key' ? ' (an unencrypted key is needed)' : ''}` });
        return z.NEVER;
      }
      return file;
    });

const GATEWAY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MIN_GATEWAY_SECRET = 16;

/** `gw-1:secret,gw-2:secret`: the gateways' ids and secrets. The messages never repeat a secret. */
const gatewayCredentials = z.string().transform((value, ctx) => {
  const gateways = new Map<string, Secret>();
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const gatewayId = colon < 0 ? entry : entry.slice(0, colon);
    const secret = colon < 0 ? '' : entry.slice(colon + 1);
    const problem = !GATEWAY_ID.test(gatewayId)
      ? 'the gateway id must be 1-64 letters, digits, "_", "." or "-"'
      : gatewayId === SERVICE_USERNAME
        ? `${SERVICE_USERNAME} is the service's own user name`
        : gateways.has(gatewayId)
          ? `gateway ${gatewayId} is listed twice`
          : secret.length < MIN_GATEWAY_SECRET || !/^[\x21-\x7e]+$/.test(secret)
            ? `the secret of gateway ${gatewayId} must be at least ${MIN_GATEWAY_SECRET} printable characters without spaces or commas`
            : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: ${problem}; entries are gateway-id:secret, separated by commas` });
    }
    gateways.set(gatewayId, new Secret(secret));
  });
  if (entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'names no gateway' });
  }
  return gateways as ReadonlyMap<string, Secret>;
});

/** `cuff-1:clinic-north,gw-2:clinic-south`: which organization each cuff or gateway belongs to. */
const organizationAssignments = (what: 'cuff' | 'gateway') =>
  z.string().transform((value, ctx) => {
    const owners = new Map<string, string>();
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .forEach((entry, i) => {
        const colon = entry.indexOf(':');
        const id = colon < 0 ? entry : entry.slice(0, colon).trim();
        const organization = colon < 0 ? '' : entry.slice(colon + 1).trim();
        const problem = !GATEWAY_ID.test(id)
          ? `the ${what} id must be 1-64 letters, digits, "_", "." or "-"`
          : owners.has(id)
            ? `${what} ${id} is listed twice`
            : organization.length === 0 || organization.length > 200
              ? `${what} ${id} needs an organization of 1-200 characters`
              : null;
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: ${problem}; entries are ${what}-id:organization, separated by commas` });
        }
        owners.set(id, organization);
      });
    return owners as ReadonlyMap<string, string>;
  });

/** Variables whose values never appear in an error message: secrets, and JSON that may hold a private key by mistake. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['MQTT_PASSWORD', 'MQTT_GATEWAY_CREDENTIALS', 'CDS_CLIENTS']);

/** What an error message may repeat of a value: nothing of a secret, and no credentials from a URL. */
function shown(name: string, value: string | undefined): string {
  if (SECRET_VARIABLES.has(name)) {
    return 'value not shown';
  }
  return `got ${JSON.stringify(value?.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1…@'))}`;
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The organization of the development setup: `npm run token` mints for it and the simulated cuffs belong to it. */
export const DEVELOPMENT_ORGANIZATION = 'clinic-north';

/** The only value that lets the development issuer run in production; long on purpose. */
export const DEVELOPMENT_ISSUER_IN_PRODUCTION = 'yes-anyone-with-the-key-file-can-sign-in';

const EnvSchema = z.object({
  NODE_ENV: z.string().trim().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: databaseUrl.prefault('sqlite:data/bfr-rx.sqlite'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  RULES_DIR: z.string().trim().min(1).default('rules-data'),
  AUTH_JWKS_URL: secureUrl.optional(),
  AUTH_DEV_ISSUER_IN_PRODUCTION: z
    .literal(DEVELOPMENT_ISSUER_IN_PRODUCTION, { error: `must be exactly "${DEVELOPMENT_ISSUER_IN_PRODUCTION}" to run the development issuer in production` })
    .optional(),
  API_DOCS: z.enum(['public', 'authenticated', 'off']).optional(),
  AUTH_ISSUER: z.string().trim().min(1).optional(),
  AUTH_AUDIENCE: z.string().trim().min(1).default('bfr-rx'),
  AUTH_DEV_KEY_FILE: z.string().trim().min(1).default('data/dev-issuer-key.json'),
  AUTH_TENANT_CLAIM: z.string().trim().min(1).default('tenant'),
  AUTH_ROLES_CLAIM: z.string().trim().min(1).default('roles'),
  WEB_OIDC_AUTHORIZATION_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEB_OIDC_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEB_OIDC_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
  WEB_OIDC_SCOPE: z.string().trim().min(1).max(500).default('openid'),
  WEB_APP_DIR: z.string().trim().min(1).default('web/dist'),
  CORS_ORIGINS: originList.default([]),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(600),
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  SHED_DATABASE_QUEUE: z.coerce.number().int().min(0).max(100_000).default(32),
  SHED_IN_PROGRESS: z.coerce.number().int().min(0).max(100_000).default(64),
  CDS_CLIENTS: jsonText
    .pipe(
      z
        .array(CdsClient)
        .refine((clients) => new Set(clients.map((c) => c.issuer)).size === clients.length, 'lists the same issuer twice'),
    )
    .default([]),
  CDS_CORS_ORIGINS: z
    .string()
    .transform((value, ctx): '*' | string[] => {
      if (value.trim() === '*') {
        return '*';
      }
      const origins = value.split(',').map((origin) => origin.trim()).filter(Boolean);
      if (!origins.every((origin) => URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol))) {
        ctx.addIssue({ code: 'custom', message: 'must be "*" or a comma-separated list of http(s) origins' });
        return z.NEVER;
      }
      return origins;
    })
    .default([]),
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  CDS_FHIR_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1000),
  CUFF_TRANSPORT: z.enum(['simulator', 'mqtt']).default('simulator'),
  CUFF_SIM_DEVICES: z.coerce.number().int().min(0).max(32).default(2),
  CUFF_SIM_ORGANIZATION: z.string().trim().min(1).max(200).default(DEVELOPMENT_ORGANIZATION),
  CUFF_ORGANIZATIONS: organizationAssignments('cuff').optional(),
  MQTT_GATEWAY_ORGANIZATIONS: organizationAssignments('gateway').optional(),
  CUFF_SIM_LOP_MMHG: z
    .string()
    .regex(/^\s*\d{2,3}\s*,\s*\d{2,3}\s*$/, 'must be two LOPs in mmHg, channel A then B, e.g. 180,200')
    .transform((value) => value.split(',').map(Number))
    .refine((lops) => lops.every((lop) => lop >= 40 && lop <= 400), 'must be LOPs between 40 and 400 mmHg')
    .optional(),
  MQTT_URL: z
    .url({ protocol: /^mqtts?$/, error: 'must be an mqtt:// or mqtts:// URL' })
    .refine((url) => !new URL(url).username && !new URL(url).password, 'must not hold credentials: give them in MQTT_USERNAME and MQTT_PASSWORD')
    .optional(),
  MQTT_USERNAME: z.string().trim().min(1).max(256).optional(),
  MQTT_PASSWORD: z
    .string()
    .min(1)
    .max(1024)
    .transform((password) => new Secret(password))
    .optional(),
  MQTT_TLS_CA: pemFile('certificate').optional(),
  MQTT_TLS_CERT: pemFile('certificate').optional(),
  MQTT_TLS_KEY: pemFile('private key').optional(),
  MQTT_GATEWAY_CREDENTIALS: gatewayCredentials.optional(),
  MQTT_BROKER_TLS_CERT: pemFile('certificate').optional(),
  MQTT_BROKER_TLS_KEY: pemFile('private key').optional(),
  MQTT_SITE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 letters, digits, "_", ".", ":" or "-"')
    .default('clinic'),
  MQTT_BROKER_HOST: z.string().trim().min(1).default('127.0.0.1'),
  MQTT_BROKER_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
});

/** Cross-variable checks, kept apart so that EnvSchema stays a plain object of variables. */
const Env = EnvSchema.superRefine((env, ctx) => {
  const problem = (variable: keyof typeof env, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (env.AUTH_JWKS_URL && !env.AUTH_ISSUER) {
    problem('AUTH_ISSUER', 'is required when AUTH_JWKS_URL is set');
  }
  if (env.NODE_ENV === 'production' && !env.AUTH_JWKS_URL && !env.AUTH_DEV_ISSUER_IN_PRODUCTION) {
    problem('AUTH_JWKS_URL', "is required in production (NODE_ENV=production): the development issuer's key file would let anyone who reads it sign in as anyone");
  }
  if (env.AUTH_DEV_ISSUER_IN_PRODUCTION && env.AUTH_JWKS_URL) {
    problem('AUTH_DEV_ISSUER_IN_PRODUCTION', 'is for running without AUTH_JWKS_URL; remove one of them');
  }
  const webOidc = ['WEB_OIDC_AUTHORIZATION_URL', 'WEB_OIDC_TOKEN_URL', 'WEB_OIDC_CLIENT_ID'] as const;
  const webOidcGiven = webOidc.filter((variable) => env[variable] !== undefined);
  for (const variable of webOidc) {
    if (webOidcGiven.length > 0 && env[variable] === undefined) {
      problem(variable, `is required with ${webOidcGiven.join(' and ')}`);
    }
  }
  if (webOidcGiven.length > 0 && !env.AUTH_JWKS_URL) {
    problem('WEB_OIDC_CLIENT_ID', 'signs the web app in at an OIDC issuer, so AUTH_JWKS_URL and AUTH_ISSUER must name that issuer');
  }
  const pairs = [
    ['MQTT_USERNAME', 'MQTT_PASSWORD'],
    ['MQTT_TLS_CERT', 'MQTT_TLS_KEY'],
    ['MQTT_BROKER_TLS_CERT', 'MQTT_BROKER_TLS_KEY'],
  ] as const;
  for (const [first, second] of pairs) {
    if ((env[first] === undefined) !== (env[second] === undefined)) {
      problem(env[first] === undefined ? first : second, `is required with ${env[first] === undefined ? second : first}`);
    }
  }
  const external = env.MQTT_URL !== undefined;
  if (external) {
    if (env.MQTT_BROKER_TLS_CERT) {
      problem('MQTT_BROKER_TLS_CERT', 'is for the embedded broker, which does not run when MQTT_URL is set');
    }
    if (env.MQTT_URL?.startsWith('mqtt:') && (env.MQTT_TLS_CA || env.MQTT_TLS_CERT)) {
      problem(env.MQTT_TLS_CA ? 'MQTT_TLS_CA' : 'MQTT_TLS_CERT', 'needs an mqtts:// MQTT_URL');
    }
  } else {
    if (env.MQTT_USERNAME) {
      problem('MQTT_USERNAME', 'is for the broker at MQTT_URL; the embedded broker gives the service an account of its own');
    }
    if (env.MQTT_TLS_CERT) {
      problem('MQTT_TLS_CERT', 'is for the broker at MQTT_URL');
    }
    if (env.MQTT_TLS_CA && !env.MQTT_BROKER_TLS_CERT) {
      problem('MQTT_TLS_CA', 'is for TLS: an mqtts:// MQTT_URL, or the embedded broker with MQTT_BROKER_TLS_CERT');
    }
  }
  if (env.CUFF_TRANSPORT !== 'mqtt') {
    return;
  }
  // Beyond this machine the link carries commands that inflate cuffs: it is encrypted and every party logs in.
  if (external && !isLoopback(new URL(env.MQTT_URL as string).hostname)) {
    if (!env.MQTT_URL?.startsWith('mqtts:')) {
      problem('MQTT_URL', 'must be mqtts:// (TLS) for a broker on another machine');
    }
    if (!env.MQTT_USERNAME && !env.MQTT_TLS_CERT) {
      problem('MQTT_USERNAME', 'or MQTT_TLS_CERT is required for a broker on another machine');
    }
  }
  if (!external && !isLoopback(env.MQTT_BROKER_HOST)) {
    if (!env.MQTT_GATEWAY_CREDENTIALS) {
      problem('MQTT_GATEWAY_CREDENTIALS', `is required when the embedded broker listens beyond loopback (MQTT_BROKER_HOST ${env.MQTT_BROKER_HOST})`);
    }
    if (!env.MQTT_BROKER_TLS_CERT) {
      problem('MQTT_BROKER_TLS_CERT', `is required when the embedded broker listens beyond loopback (MQTT_BROKER_HOST ${env.MQTT_BROKER_HOST})`);
    }
  }
});

/**
 * Who signs the bearer tokens: an OIDC issuer's published keys in production, or the local
 * development issuer, whose key is made on first start and used by `npm run token`.
 */
export type AuthConfig = {
  audience: string;
  tenantClaim: string;
  rolesClaim: string;
} & (
  | { mode: 'oidc'; issuer: string; jwksUrl: string }
  | {
      mode: 'development';
      issuer: string;
      keyFile: string;
      /** True only when NODE_ENV=production and AUTH_DEV_ISSUER_IN_PRODUCTION opted in; logged at every start. */
      inProduction: boolean;
    }
);

export const DEVELOPMENT_ISSUER = 'urn:bfr-rx:development-issuer';

/**
 * How the service reaches cuffs: in-process simulated cuffs, or MQTT to clinic gateways through
 * the broker at `url`, or through a broker the service embeds when no URL is given.
 */
export interface CuffConfig {
  transport: 'simulator' | 'mqtt';
  /**
   * Which organization each cuff belongs to: a cuff named in `cuffs`, else the organization of
   * its gateway, else (simulated cuffs) `simulated`. A cuff with none, or whose own and gateway's
   * organizations differ, belongs to no one and is shown to no one.
   */
  organizations: { cuffs: ReadonlyMap<string, string>; gateways: ReadonlyMap<string, string>; simulated: string };
  /** Simulated cuffs run by the simulator transport. */
  simulatedDevices: number;
  /** The simulated patient's LOP under each cuff; the simulator's defaults when null. */
  simulatedLopMmHg: { A: number; B: number } | null;
  mqtt: {
    url: string | null;
    site: string;
    /** Where the embedded broker listens when no URL is given; port 0 picks a free one. */
    embeddedBroker: { host: string; port: number };
    /** The service's account at the broker at `url`. */
    credentials: { username: string; password: Secret } | null;
    /** PEM files for an mqtts:// broker: the CA to trust it by, and the service's client certificate and key. */
    tls: { caFile: string | null; certFile: string | null; keyFile: string | null };
    /** Gateway id → secret: the gateways the embedded broker lets in (each only to its own topics), and the secret `npm run gateway:sim` logs in with. */
    gateways: ReadonlyMap<string, Secret> | null;
    /** Certificate chain and key the embedded broker serves TLS with. */
    brokerTls: { certFile: string; keyFile: string } | null;
  };
}

/** Who sees the OpenAPI document and Swagger UI: anyone, any caller with a valid token, or no one. */
export type ApiDocsAccess = 'public' | 'authenticated' | 'off';

export interface AppConfig {
  /** NODE_ENV=production: the development issuer is off unless opted in, and the API documents are off unless asked for. */
  production: boolean;
  apiDocs: ApiDocsAccess;
  port: number;
  host: string;
  database: DatabaseTarget;
  /** Where the audit chain's head is anchored outside the database; none for an in-memory SQLite database or PostgreSQL unless set. */
  auditCheckpointFile: string | null;
  logLevel: (typeof LOG_LEVELS)[number];
  /** The address clients use to reach the service; links in responses are built from it. */
  publicBaseUrl: string;
  bodyLimitBytes: number;
  rulesDir: string;
  auth: AuthConfig;
  /** Browser origins allowed to call the API; none by default. */
  corsOrigins: string[];
  /** Requests a minute from one address; 0 leaves rate limiting to a gateway in front. */
  rateLimitPerMinute: number;
  /** When new requests are answered 503 at once instead of queued; 0 turns a check off. */
  loadShedding: { eventLoopDelayMs: number; databaseQueue: number; inProgress: number };
  cdsHooks: CdsHooksConfig;
  cuffs: CuffConfig;
  webApp: WebAppConfig;
}

/** How the clinician web app at /app signs in. */
export interface WebAppConfig {
  /** The built web app (`npm run build:web`), served at /app. */
  dir: string;
  /** The development issuer mints tokens for the app's sign-in button: only with that issuer and never under NODE_ENV=production. */
  developmentSignIn: boolean;
  /** The OIDC issuer's endpoints for the authorization code flow with PKCE; null when not configured. */
  oidc: { authorizationUrl: string; tokenUrl: string; clientId: string; scope: string } | null;
}

/** Who may call the CDS Hooks services, from which browser origins, and how long to wait for an EHR's FHIR server. */
export interface CdsHooksConfig {
  /** EHRs whose signed JWTs are accepted, each with its issuer, key sources and `jku` allow-list; none by default. */
  clients: CdsClient[];
  /** Browser origins of EHR clients, or `*` (never with credentials); none by default. */
  corsOrigins: '*' | string[];
  /** Time budget for fetching what the EHR did not prefetch, for all reads of one call together. */
  fhirTimeoutMs: number;
}

/** Start-up stops on this: each problem names the environment variable and what is wrong with it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration once from the environment; empty variables count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const [, entry, ...field] = issue.path;
        const within =
          typeof entry === 'number'
            ? ` (entry ${entry + 1}${field.length > 0 ? `, field ${field.join('.')}` : ''})`
            : issue.path.length > 1
              ? ` (at ${issue.path.slice(1).join('.')})`
              : '';
        return `${name}: ${issue.message}${within} (${shown(name, present[name])})`;
      }),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    production,
    apiDocs: e.API_DOCS ?? (production ? 'off' : 'public'),
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL,
    auditCheckpointFile: e.AUDIT_CHECKPOINT_FILE
      ? resolve(e.AUDIT_CHECKPOINT_FILE)
      : e.DATABASE_URL.kind === 'sqlite' && e.DATABASE_URL.file !== ':memory:'
        ? `${e.DATABASE_URL.file}.audit-checkpoint`
        : null,
    logLevel: e.LOG_LEVEL,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rulesDir: resolve(e.RULES_DIR),
    auth: {
      audience: e.AUTH_AUDIENCE,
      tenantClaim: e.AUTH_TENANT_CLAIM,
      rolesClaim: e.AUTH_ROLES_CLAIM,
      ...(e.AUTH_JWKS_URL
        ? { mode: 'oidc', issuer: e.AUTH_ISSUER as string, jwksUrl: e.AUTH_JWKS_URL }
        : { mode: 'development', issuer: e.AUTH_ISSUER ?? DEVELOPMENT_ISSUER, keyFile: resolve(e.AUTH_DEV_KEY_FILE), inProduction: production }),
    },
    corsOrigins: e.CORS_ORIGINS.map((origin) => origin.replace(/\/+$/, '')),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    loadShedding: { eventLoopDelayMs: e.SHED_EVENT_LOOP_DELAY_MS, databaseQueue: e.SHED_DATABASE_QUEUE, inProgress: e.SHED_IN_PROGRESS },
    cdsHooks: {
      clients: e.CDS_CLIENTS,
      corsOrigins: e.CDS_CORS_ORIGINS === '*' ? '*' : e.CDS_CORS_ORIGINS.map((origin) => origin.replace(/\/+$/, '')),
      fhirTimeoutMs: e.CDS_FHIR_TIMEOUT_MS,
    },
    webApp: {
      dir: resolve(e.WEB_APP_DIR),
      developmentSignIn: !e.AUTH_JWKS_URL && !production,
      oidc:
        e.WEB_OIDC_AUTHORIZATION_URL && e.WEB_OIDC_TOKEN_URL && e.WEB_OIDC_CLIENT_ID
          ? { authorizationUrl: e.WEB_OIDC_AUTHORIZATION_URL, tokenUrl: e.WEB_OIDC_TOKEN_URL, clientId: e.WEB_OIDC_CLIENT_ID, scope: e.WEB_OIDC_SCOPE }
          : null,
    },
    cuffs: {
      transport: e.CUFF_TRANSPORT,
      organizations: { cuffs: e.CUFF_ORGANIZATIONS ?? new Map(), gateways: e.MQTT_GATEWAY_ORGANIZATIONS ?? new Map(), simulated: e.CUFF_SIM_ORGANIZATION },
      simulatedDevices: e.CUFF_SIM_DEVICES,
      simulatedLopMmHg: e.CUFF_SIM_LOP_MMHG ? { A: e.CUFF_SIM_LOP_MMHG[0], B: e.CUFF_SIM_LOP_MMHG[1] } : null,
      mqtt: {
        url: e.MQTT_URL ?? null,
        site: e.MQTT_SITE,
        embeddedBroker: { host: e.MQTT_BROKER_HOST, port: e.MQTT_BROKER_PORT },
        credentials: e.MQTT_USERNAME && e.MQTT_PASSWORD ? { username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD } : null,
        tls: { caFile: e.MQTT_TLS_CA ?? null, certFile: e.MQTT_TLS_CERT ?? null, keyFile: e.MQTT_TLS_KEY ?? null },
        gateways: e.MQTT_GATEWAY_CREDENTIALS ?? null,
        brokerTls: e.MQTT_BROKER_TLS_CERT && e.MQTT_BROKER_TLS_KEY ? { certFile: e.MQTT_BROKER_TLS_CERT, keyFile: e.MQTT_BROKER_TLS_KEY } : null,
      },
    },
  };
}

/** Nest injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
