/**
 * Mints a bearer token from the local development issuer, for Swagger UI's Authorize button or curl:
 *   npm run token -- --role clinician [--role admin] [--tenant clinic-north] [--subject dr-lee] [--hours 8]
 * It uses the same configuration (AUTH_DEV_KEY_FILE, AUTH_ISSUER, ...) as the service.
 */
import { parseArgs } from 'node:util';

import { z } from 'zod';

import { mintToken } from '../src/auth/development-issuer';
import { Role } from '../src/auth/principal';
import { ConfigError, DEVELOPMENT_ORGANIZATION, loadConfig } from '../src/config/config';

const Options = z.object({
  role: z.array(Role).min(1, 'give at least one --role'),
  tenant: z.string().min(1),
  subject: z.string().min(1),
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 30),
});

const USAGE = `usage: npm run token -- --role ${Role.options.join('|')} [--role ...] [--tenant T] [--subject S] [--hours H]

Mints a bearer token from the local development issuer (AUTH_DEV_KEY_FILE).
  --role     a role the token grants; repeat for more than one
  --tenant   the organization whose records the token reaches (default ${DEVELOPMENT_ORGANIZATION})
  --subject  the user the token names (default dev-<first role>)
  --hours    how long the token is valid, at most ${24 * 30} (default 8)
  --help     this text`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        role: { type: 'string', multiple: true, default: [] },
        tenant: { type: 'string', default: DEVELOPMENT_ORGANIZATION },
        subject: { type: 'string' },
        hours: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // An unknown option or a missing value: say which, then how the command is used.
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { help, ...values } = parsed.values;
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const options = Options.safeParse({ ...values, subject: values.subject ?? `dev-${values.role?.[0] ?? 'user'}` });
  if (!options.success) {
    console.error(options.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('\n'));
    console.error(`\n${USAGE}`);
    return 2;
  }
  if (process.env.NODE_ENV === 'production') {
    console.error('NODE_ENV is production: tokens come from your OIDC issuer, never from this command.');
    return 1;
  }
  const config = loadConfig();
  if (config.auth.mode !== 'development') {
    console.error('AUTH_JWKS_URL is set: tokens come from your OIDC issuer, not from this command.');
    return 1;
  }
  const token = await mintToken(config.auth, {
    subject: options.data.subject,
    tenant: options.data.tenant,
    roles: options.data.role,
    ttlSeconds: Math.round(options.data.hours * 3600),
    now: new Date(),
  });
  console.log(token);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
