/** Regenerates openapi.json from the code; the test suite fails when the two drift apart. */
import 'reflect-metadata';

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { createApp } from '../src/app';
import { FixedClock } from '../src/common/clock';
import { loadConfig } from '../src/config/config';
import { OPENAPI_EXAMPLE_DAY } from '../src/openapi-examples';
import { buildOpenApiDocument } from '../src/openapi';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-openapi-'));
  // The committed document's examples are dated on a fixed day, so that it changes only with the API.
  const clock = new FixedClock(new Date(`${OPENAPI_EXAMPLE_DAY}T09:30:00Z`));
  const app = await createApp(
    loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'openapi.sqlite')}`, LOG_LEVEL: 'silent' }),
    { clock },
  );
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
