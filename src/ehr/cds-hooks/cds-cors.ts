import type { CdsHooksConfig } from '../../config/config';

/**
 * CORS for the CDS Hooks routes. Browser-based EHR clients call them across origins, preflight
 * included. The JWT travels in the Authorization header, never in a cookie, so credentials are never
 * allowed, which is what makes `*` safe to configure; an allow-list of the EHRs' origins is still
 * the production setting.
 */
export function cdsCorsOptions(config: CdsHooksConfig) {
  return {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'accept'],
    exposedHeaders: ['x-request-id', 'x-caller-request-id', 'retry-after'],
    credentials: false,
    maxAge: 600,
  };
}
