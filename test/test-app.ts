import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createApp } from '../src/app';
import { type AppConfig, loadConfig } from '../src/config/config';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The HTTP server for supertest. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * The real application on a fresh SQLite file (migrations and all) with the real rules,
 * configured from the environment variables given, as an operator would.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-test-'));
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bfr-rx.sqlite')}`, LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config);
  return {
    app,
    config,
    http: app.getHttpServer(),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
