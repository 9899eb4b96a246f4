import { z } from 'zod';

/**
 * What each role may do: clinicians screen, prescribe, approve and start sessions; viewers read;
 * gateways carry device traffic; admins read their organization's audit trail and configure;
 * operators run the service for every organization and verify the whole audit chain.
 */
export const Role = z.enum(['clinician', 'viewer', 'gateway', 'admin', 'operator']);
export type Role = z.infer<typeof Role>;

/** The caller, as its verified token says: who, in which organization, with which roles. */
export interface Principal {
  subject: string;
  tenant: string;
  roles: Role[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard once the bearer token is verified. */
    principal?: Principal;
  }
}
