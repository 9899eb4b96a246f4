import { resolve } from 'node:path';
import { z } from 'zod';

import type { Problem } from './values';

/** How the clinician web app at /app signs in. */
export interface WebAppConfig {
  /** The built web app (`npm run build:web`), served at /app. */
  dir: string;
  /** The development issuer mints tokens for the app's sign-in button: only with that issuer and never under NODE_ENV=production. */
  developmentSignIn: boolean;
  /** The OIDC issuer's endpoints for the authorization code flow with PKCE; null when not configured. */
  oidc: { authorizationUrl: string; tokenUrl: string; clientId: string; scope: string } | null;
}

export const WEB_APP_VARIABLES = {
  WEB_OIDC_AUTHORIZATION_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEB_OIDC_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEB_OIDC_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
  WEB_OIDC_SCOPE: z.string().trim().min(1).max(500).default('openid'),
  WEB_APP_DIR: z.string().trim().min(1).default('web/dist'),
};
type WebAppEnv = z.infer<z.ZodObject<typeof WEB_APP_VARIABLES>>;

/** The web app's OIDC sign-in needs all three of its settings, and the API must trust the same issuer. */
export function checkWebApp(env: WebAppEnv, oidcIssuer: boolean, problem: Problem<keyof WebAppEnv>): void {
  const webOidc = ['WEB_OIDC_AUTHORIZATION_URL', 'WEB_OIDC_TOKEN_URL', 'WEB_OIDC_CLIENT_ID'] as const;
  const webOidcGiven = webOidc.filter((variable) => env[variable] !== undefined);
  for (const variable of webOidc) {
    if (webOidcGiven.length > 0 && env[variable] === undefined) {
      problem(variable, `is required with ${webOidcGiven.join(' and ')}`);
    }
  }
  if (webOidcGiven.length > 0 && !oidcIssuer) {
    problem(
      'WEB_OIDC_CLIENT_ID',
      'signs the web app in at an OIDC issuer, so AUTH_JWKS_URL and AUTH_ISSUER must name that issuer',
    );
  }
}

export function webAppConfig(e: WebAppEnv, developmentSignIn: boolean): WebAppConfig {
  return {
    dir: resolve(e.WEB_APP_DIR),
    developmentSignIn,
    oidc:
      e.WEB_OIDC_AUTHORIZATION_URL && e.WEB_OIDC_TOKEN_URL && e.WEB_OIDC_CLIENT_ID
        ? {
            authorizationUrl: e.WEB_OIDC_AUTHORIZATION_URL,
            tokenUrl: e.WEB_OIDC_TOKEN_URL,
            clientId: e.WEB_OIDC_CLIENT_ID,
            scope: e.WEB_OIDC_SCOPE,
          }
        : null,
  };
}
