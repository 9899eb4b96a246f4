import 'reflect-metadata';

import { Logger } from 'nestjs-pino';

import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { CUFF_TRANSPORT, type CuffTransport } from './device-adapter/cuff-transport';
import { RulesetInvalidError } from './rules/loader';
import { startupLine } from './startup-line';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  app
    .get(Logger)
    .log(startupLine(await app.getUrl(), config.database, app.get<CuffTransport>(CUFF_TRANSPORT)), 'Startup');
}

bootstrap().catch((error: unknown) => {
  // Configuration and rules problems are the operator's to fix: say what is wrong, not where in the code.
  const known = error instanceof ConfigError || error instanceof RulesetInvalidError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
