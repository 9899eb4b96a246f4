import { resolve } from 'node:path';
import { z } from 'zod';

import { type Problem, secureUrl } from './values';

/** The organization of the development setup: `npm run token` mints for it and the simulated cuffs belong to it. */
export const DEVELOPMENT_ORGANIZATION = 'clinic-north';

/** The only value that lets the development issuer run in production; long on purpose. */
export const DEVELOPMENT_ISSUER_IN_PRODUCTION = 'yes-anyone-with-the-key-file-can-sign-in';

export const DEVELOPMENT_ISSUER = 'urn:bfr-rx:development-issuer';

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

export const AUTH_VARIABLES = {
  AUTH_JWKS_URL: secureUrl.optional(),
  AUTH_DEV_ISSUER_IN_PRODUCTION: z
    .literal(DEVELOPMENT_ISSUER_IN_PRODUCTION, {
      error: `must be exactly "${DEVELOPMENT_ISSUER_IN_PRODUCTION}" to run the development issuer in production`,
    })
    .optional(),
  AUTH_ISSUER: z.string().trim().min(1).optional(),
  AUTH_AUDIENCE: z.string().trim().min(1).default('bfr-rx'),
  AUTH_DEV_KEY_FILE: z.string().trim().min(1).default('data/dev-issuer-key.json'),
  AUTH_TENANT_CLAIM: z.string().trim().min(1).default('tenant'),
  AUTH_ROLES_CLAIM: z.string().trim().min(1).default('roles'),
};
type AuthEnv = z.infer<z.ZodObject<typeof AUTH_VARIABLES>>;

/** An OIDC issuer needs its name; production needs one, unless the development issuer is opted in. */
export function checkAuth(env: AuthEnv, production: boolean, problem: Problem<keyof AuthEnv>): void {
  if (env.AUTH_JWKS_URL && !env.AUTH_ISSUER) {
    problem('AUTH_ISSUER', 'is required when AUTH_JWKS_URL is set');
  }
  if (production && !env.AUTH_JWKS_URL && !env.AUTH_DEV_ISSUER_IN_PRODUCTION) {
    problem(
      'AUTH_JWKS_URL',
      "is required in production (NODE_ENV=production): the development issuer's key file would let anyone who reads it sign in as anyone",
    );
  }
  if (env.AUTH_DEV_ISSUER_IN_PRODUCTION && env.AUTH_JWKS_URL) {
    problem('AUTH_DEV_ISSUER_IN_PRODUCTION', 'is for running without AUTH_JWKS_URL; remove one of them');
  }
}

export function authConfig(e: AuthEnv, production: boolean): AuthConfig {
  return {
    audience: e.AUTH_AUDIENCE,
    tenantClaim: e.AUTH_TENANT_CLAIM,
    rolesClaim: e.AUTH_ROLES_CLAIM,
    ...(e.AUTH_JWKS_URL
      ? { mode: 'oidc', issuer: e.AUTH_ISSUER as string, jwksUrl: e.AUTH_JWKS_URL }
      : {
          mode: 'development',
          issuer: e.AUTH_ISSUER ?? DEVELOPMENT_ISSUER,
          keyFile: resolve(e.AUTH_DEV_KEY_FILE),
          inProduction: production,
        }),
  };
}
