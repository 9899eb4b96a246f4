import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createApp } from '../src/app';
import type { AppOptions } from '../src/app.module';
import { mintToken } from '../src/auth/development-issuer';
import type { Role } from '../src/auth/principal';
import { type AppConfig, loadConfig } from '../src/config/config';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The HTTP server for supertest. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  /** A bearer token from the test app's development issuer. */
  tokenFor(role: Role | Role[], options?: { tenant?: string; subject?: string; ttlSeconds?: number; now?: Date }): Promise<string>;
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
    ...env,
  });
  const app = await createApp(config, options);
  return {
    app,
    config,
    http: app.getHttpServer(),
    tokenFor: async (role, options = {}) => {
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
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
