import { z } from 'zod';

import { jsonText, secureUrl } from './values';

const PublicJwk = z
  .looseObject({ kty: z.enum(['EC', 'RSA']), kid: z.string().min(1) })
  .refine((jwk) => !('d' in jwk), 'is a private key; configure the public key only');

/** An EHR allowed to call the CDS services, and where its signing keys are. */
const CdsClient = z
  .strictObject({
    issuer: z.string().trim().min(1),
    jwksUrl: secureUrl.optional(),
    jwks: z.strictObject({ keys: z.array(PublicJwk).min(1) }).optional(),
    jku: z.array(secureUrl).default([]),
    /** FHIR base URLs the service may read with the access token this EHR sends (`fhirServer`); none by default. */
    fhirServers: z.array(secureUrl.transform((url) => url.replace(/\/+$/, ''))).default([]),
    /** The bfr-rx organization the EHR serves: its admins see the EHR's calls in the audit trail. */
    tenant: z.string().trim().min(1).max(200).optional(),
  })
  .refine(
    (client) => client.jwksUrl !== undefined || client.jwks !== undefined || client.jku.length > 0,
    'needs jwksUrl, jwks or jku: where its keys are',
  );
export type CdsClient = z.infer<typeof CdsClient>;

/** Who may call the CDS Hooks services, from which browser origins, and how long to wait for an EHR's FHIR server. */
export interface CdsHooksConfig {
  /** EHRs whose signed JWTs are accepted, each with its issuer, key sources and `jku` allow-list; none by default. */
  clients: CdsClient[];
  /** Browser origins of EHR clients, or `*` (never with credentials); none by default. */
  corsOrigins: '*' | string[];
  /** Time budget for fetching what the EHR did not prefetch, for all reads of one call together. */
  fhirTimeoutMs: number;
}

export const CDS_HOOKS_VARIABLES = {
  CDS_CLIENTS: jsonText
    .pipe(
      z
        .array(CdsClient)
        .refine(
          (clients) => new Set(clients.map((c) => c.issuer)).size === clients.length,
          'lists the same issuer twice',
        ),
    )
    .default([]),
  CDS_CORS_ORIGINS: z
    .string()
    .transform((value, ctx): '*' | string[] => {
      if (value.trim() === '*') {
        return '*';
      }
      const origins = value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean);
      if (!origins.every((origin) => URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol))) {
        ctx.addIssue({ code: 'custom', message: 'must be "*" or a comma-separated list of http(s) origins' });
        return z.NEVER;
      }
      return origins;
    })
    .default([]),
  CDS_FHIR_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1000),
};
type CdsHooksEnv = z.infer<z.ZodObject<typeof CDS_HOOKS_VARIABLES>>;

export function cdsHooksConfig(e: CdsHooksEnv): CdsHooksConfig {
  return {
    clients: e.CDS_CLIENTS,
    corsOrigins: e.CDS_CORS_ORIGINS === '*' ? '*' : e.CDS_CORS_ORIGINS.map((origin) => origin.replace(/\/+$/, '')),
    fhirTimeoutMs: e.CDS_FHIR_TIMEOUT_MS,
  };
}
