/** Regenerates openapi.json from the code; the test suite fails when the two drift apart. */
import 'reflect-metadata';

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { buildOpenApiDocument } from '../src/openapi';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-openapi-'));
  const app = await createApp(loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'openapi.sqlite')}`, LOG_LEVEL: 'silent' }));
  try {
    const target = resolve('openapi.json');
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    console.log(`wrote ${target}`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
