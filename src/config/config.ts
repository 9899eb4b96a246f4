import { resolve } from 'node:path';
import { z } from 'zod';

import { AUTH_VARIABLES, type AuthConfig, authConfig, checkAuth } from './auth';
import { CDS_HOOKS_VARIABLES, type CdsHooksConfig, cdsHooksConfig } from './cds-hooks';
import { checkCuffs, CUFF_VARIABLES, type CuffConfig, cuffConfig } from './cuffs';
import { auditCheckpointFile, DATABASE_VARIABLES, type DatabaseTarget } from './database';
import { originList } from './values';
import { checkWebApp, WEB_APP_VARIABLES, type WebAppConfig, webAppConfig } from './web-app';

export {
  type AuthConfig,
  DEVELOPMENT_ISSUER,
  DEVELOPMENT_ISSUER_IN_PRODUCTION,
  DEVELOPMENT_ORGANIZATION,
} from './auth';
export type { CdsClient, CdsHooksConfig } from './cds-hooks';
export { type CuffConfig, SERVICE_USERNAME } from './cuffs';
export type { DatabaseTarget } from './database';
export { isLoopback, pemFile } from './values';
export type { WebAppConfig } from './web-app';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables whose values never appear in an error message: secrets, and JSON that may hold a private key by mistake. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['MQTT_PASSWORD', 'MQTT_GATEWAY_CREDENTIALS', 'CDS_CLIENTS']);

/** What an error message may repeat of a value: nothing of a secret, and no credentials from a URL. */
function shown(name: string, value: string | undefined): string {
  if (SECRET_VARIABLES.has(name)) {
    return 'value not shown';
  }
  return `got ${JSON.stringify(value?.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1…@'))}`;
}

/** Every variable, section by section (database, auth, web app, CDS Hooks, cuffs in their own files). */
const EnvSchema = z.object({
  NODE_ENV: z.string().trim().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  ...DATABASE_VARIABLES,
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
  ...AUTH_VARIABLES,
  API_DOCS: z.enum(['public', 'authenticated', 'off']).optional(),
  ...WEB_APP_VARIABLES,
  CORS_ORIGINS: originList.default([]),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(600),
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  SHED_DATABASE_QUEUE: z.coerce.number().int().min(0).max(100_000).default(32),
  SHED_IN_PROGRESS: z.coerce.number().int().min(0).max(100_000).default(64),
  SHED_HOLD_MS: z.coerce.number().int().min(0).max(10_000).default(500),
  SHED_TARGET_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  ...CDS_HOOKS_VARIABLES,
  ...CUFF_VARIABLES,
});

/** Cross-variable checks, kept apart so that EnvSchema stays a plain object of variables. */
const Env = EnvSchema.superRefine((env, ctx) => {
  const problem = (variable: string, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  checkAuth(env, env.NODE_ENV === 'production', problem);
  checkWebApp(env, env.AUTH_JWKS_URL !== undefined, problem);
  checkCuffs(env, problem);
});

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
  loadShedding: {
    eventLoopDelayMs: number;
    databaseQueue: number;
    inProgress: number;
    holdMs: number;
    targetMs: number;
  };
  cdsHooks: CdsHooksConfig;
  cuffs: CuffConfig;
  webApp: WebAppConfig;
}

/** Start-up stops on this: each problem names the environment variable and what is wrong with it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** One line per problem: the variable, what is wrong, where within it, and what it held (unless secret). */
function problemLines(issues: z.core.$ZodIssue[], present: Record<string, string | undefined>): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0]);
    const [, entry, ...field] = issue.path;
    const within =
      typeof entry === 'number'
        ? ` (entry ${entry + 1}${field.length > 0 ? `, field ${field.join('.')}` : ''})`
        : issue.path.length > 1
          ? ` (at ${issue.path.slice(1).join('.')})`
          : '';
    return `${name}: ${issue.message}${within} (${shown(name, present[name])})`;
  });
}

/** Reads the configuration once from the environment; empty variables count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(problemLines(parsed.error.issues, present));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    production,
    apiDocs: e.API_DOCS ?? (production ? 'off' : 'public'),
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL,
    auditCheckpointFile: auditCheckpointFile(e),
    logLevel: e.LOG_LEVEL,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rulesDir: resolve(e.RULES_DIR),
    auth: authConfig(e, production),
    corsOrigins: e.CORS_ORIGINS.map((origin) => origin.replace(/\/+$/, '')),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    loadShedding: {
      eventLoopDelayMs: e.SHED_EVENT_LOOP_DELAY_MS,
      databaseQueue: e.SHED_DATABASE_QUEUE,
      inProgress: e.SHED_IN_PROGRESS,
      holdMs: e.SHED_HOLD_MS,
      targetMs: e.SHED_TARGET_MS,
    },
    cdsHooks: cdsHooksConfig(e),
    webApp: webAppConfig(e, !e.AUTH_JWKS_URL && !production),
    cuffs: cuffConfig(e),
  };
}

/** Nest injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
