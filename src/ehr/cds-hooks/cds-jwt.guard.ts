import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { APP_CONFIG, type AppConfig } from '../../config/config';
import { type CdsCaller, CdsJwtVerifier, CdsTokenRefused } from './cds-jwt';
import { issue, OperationOutcomeError } from './operation-outcome';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the CDS Hooks guard once the EHR's JWT is verified. */
    cdsCaller?: CdsCaller;
  }
}

/** Who called, as the audit trail names it: the EHR's issuer, and the JWT's `sub` after a `|` when it has one. */
export const cdsActor = (caller: CdsCaller) => (caller.subject ? `${caller.issuer}|${caller.subject}` : caller.issuer);

/**
 * CDS Hooks routes are called by EHRs with a JWT the EHR signs for each call, not with this
 * service's bearer tokens. The audience is the URL invoked as the EHR sees it: the public base URL
 * and the path, never rebuilt from proxy headers a caller could set.
 */
@Injectable()
export class CdsJwtGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: CdsJwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) {
      throw new OperationOutcomeError(401, [
        issue('login', "A CDS Hooks call needs the EHR's signed JWT: Authorization: Bearer <JWT>."),
      ]);
    }
    const invokedUrl = `${this.config.publicBaseUrl}${request.url.split('?')[0]}`;
    try {
      const caller = await this.verifier.verify(token, invokedUrl);
      request.cdsCaller = caller;
      const client = this.config.cdsHooks.clients.find((c) => c.issuer === caller.issuer);
      request.auditedAs = { caller: { actor: cdsActor(caller), tenant: client?.tenant ?? null } };
    } catch (error) {
      if (error instanceof CdsTokenRefused) {
        throw new OperationOutcomeError(401, [issue(error.expired ? 'expired' : 'login', error.message)], {
          cause: error,
        });
      }
      throw error;
    }
    return true;
  }
}
