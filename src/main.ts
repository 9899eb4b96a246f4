import 'reflect-metadata';

import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { RulesetInvalidError } from './rules/loader';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
}

bootstrap().catch((error: unknown) => {
  // Configuration and rules problems are the operator's to fix: say what is wrong, not where in the code.
  const known = error instanceof ConfigError || error instanceof RulesetInvalidError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
