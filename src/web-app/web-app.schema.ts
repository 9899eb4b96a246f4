import { z } from 'zod';

import { Role } from '../auth/principal';

export const SignInOptions = z
  .object({
    development: z
      .boolean()
      .describe('True when the development issuer signs the app in (`POST /app/dev-token`); never in production.'),
    oidc: z
      .object({
        authorizationUrl: z.string().describe("The OIDC issuer's authorization endpoint."),
        tokenUrl: z.string().describe("The OIDC issuer's token endpoint."),
        clientId: z.string().describe('The client id registered for the web app.'),
        scope: z.string().describe('The scopes asked for.'),
      })
      .nullable()
      .describe('The authorization code flow with PKCE; null when not configured.'),
  })
  .meta({ id: 'SignInOptions', description: 'How the clinician web app signs in.' });
export type SignInOptions = z.infer<typeof SignInOptions>;

export const DevTokenRequest = z
  .strictObject({
    role: Role.exclude(['gateway']).describe('The role the token carries.'),
    subject: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only')
      .default('dev-clinician')
      .describe('Who signs in.'),
    tenant: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only')
      .default('clinic-north')
      .describe('The organization.'),
  })
  .meta({
    id: 'DevTokenRequest',
    description: 'A token from the development issuer for the web app (development only).',
    examples: [{ role: 'clinician', subject: 'dev-clinician', tenant: 'clinic-north' }],
  });
export type DevTokenRequest = z.infer<typeof DevTokenRequest>;

export const DevToken = z
  .object({
    accessToken: z.string().describe('The bearer token.'),
    expiresIn: z.number().int().describe('Lifetime, seconds.'),
    subject: z.string().describe('Who it names.'),
    tenant: z.string().describe('The organization.'),
    roles: z.array(Role).describe('Its roles.'),
  })
  .meta({ id: 'DevToken', description: 'A development bearer token.' });
export type DevToken = z.infer<typeof DevToken>;
