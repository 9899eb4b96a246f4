import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { createApp } from '../src/app';
import type { AppOptions } from '../src/app.module';
import { mintToken } from '../src/auth/development-issuer';
import type { Role } from '../src/auth/principal';
import { type AppConfig, loadConfig } from '../src/config/config';

type TokenOptions = { tenant?: string; subject?: string; ttlSeconds?: number; now?: Date };

/** Requests to the test app as one caller: each carries the caller's bearer token; chain `.expect()`, `.set()` as with supertest. */
export interface Caller {
  token: string;
  get(path: string): request.Test;
  post(path: string, body?: unknown): request.Test;
  put(path: string, body?: unknown): request.Test;
  patch(path: string, body?: unknown): request.Test;
  delete(path: string): request.Test;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The HTTP server for supertest. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  /** A bearer token from the test app's development issuer. */
  tokenFor(role: Role | Role[], options?: TokenOptions): Promise<string>;
  /** A caller with these roles (of the test clinic unless `tenant` says otherwise). */
  as(role: Role | Role[], options?: TokenOptions): Promise<Caller>;
  /** A caller with this token, e.g. an expired or foreign one. */
  withToken(token: string): Caller;
  /** Stops the application and starts it again on the same database and configuration; callers keep working. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const CLINIC = 'clinic-north';

/**
 * The real application on a fresh SQLite file (migrations and all) with the real rules,
 * configured from the environment variables given, as an operator would.
 */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-test-'));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'bfr-rx.sqlite')}`,
    AUTH_DEV_KEY_FILE: join(dir, 'dev-issuer-key.json'),
    LOG_LEVEL: 'silent',
    // A test runner's own work stalls the event loop now and then; shedding is tested where it is meant.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_TARGET_MS: '0',
    ...env,
  });
  let app = await createApp(config, options);
  let http = app.getHttpServer();
  const withToken = (token: string): Caller => {
    const authed = (test: request.Test) => test.auth(token, { type: 'bearer' });
    const sent = (test: request.Test, body: unknown) => (body === undefined ? test : test.send(body as object));
    return {
      token,
      get: (path) => authed(request(http).get(path)),
      post: (path, body) => sent(authed(request(http).post(path)), body),
      put: (path, body) => sent(authed(request(http).put(path)), body),
      patch: (path, body) => sent(authed(request(http).patch(path)), body),
      delete: (path) => authed(request(http).delete(path)),
    };
  };
  const tokenFor: TestApp['tokenFor'] = async (role, options = {}) => {
    if (config.auth.mode !== 'development') {
      throw new Error('test tokens need the development issuer');
    }
    return mintToken(config.auth, {
      subject: options.subject ?? `test-${[role].flat().join('-')}`,
      tenant: options.tenant ?? CLINIC,
      roles: [role].flat(),
      ttlSeconds: options.ttlSeconds ?? 600,
      now: options.now ?? new Date(),
    });
  };
  return {
    get app() {
      return app;
    },
    config,
    get http() {
      return http;
    },
    tokenFor,
    as: async (role, options) => withToken(await tokenFor(role, options)),
    withToken,
    restart: async () => {
      await app.close();
      app = await createApp(config, options);
      http = app.getHttpServer();
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
