import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';

import type { AuthConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import { developmentKey } from './development-issuer';
import { type Principal, Role } from './principal';

/** Asymmetric algorithms only: a shared-secret token could be forged by anyone holding the secret. */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'PS384', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** The longest subject and organization the records can hold (their columns are 200 characters). */
const MAX_CLAIM_LENGTH = 200;

function principalFrom(payload: JWTPayload, config: AuthConfig): Principal {
  for (const claim of ['sub', config.tenantClaim]) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > MAX_CLAIM_LENGTH) {
      throw new DomainError(
        ErrorCode.Unauthenticated,
        `The bearer token's "${claim}" claim is longer than ${MAX_CLAIM_LENGTH} characters.`,
      );
    }
  }
  const claims = z
    .object({
      sub: z.string().min(1),
      [config.tenantClaim]: z.string().min(1),
      [config.rolesClaim]: z.array(z.string()),
    })
    .safeParse(payload);
  if (!claims.success) {
    throw new DomainError(
      ErrorCode.Unauthenticated,
      `The bearer token lacks a subject, a "${config.tenantClaim}" claim or a "${config.rolesClaim}" list.`,
    );
  }
  const roles = (claims.data[config.rolesClaim] as string[]).filter(
    (role): role is Role => Role.safeParse(role).success,
  );
  return { subject: claims.data.sub as string, tenant: claims.data[config.tenantClaim] as string, roles };
}

/** Verifies bearer tokens against the configured issuer's keys; every failure is a 401. */
export async function createTokenVerifier(config: AuthConfig): Promise<TokenVerifier> {
  const keys =
    config.mode === 'oidc'
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : createLocalJWKSet({ keys: [(await developmentKey(config.keyFile)).publicJwk] });
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'sub'],
        });
        return principalFrom(payload, config);
      } catch (error) {
        if (error instanceof DomainError) {
          throw error;
        }
        const expired = error instanceof errors.JWTExpired;
        throw new DomainError(
          ErrorCode.Unauthenticated,
          expired ? 'The bearer token has expired.' : 'The bearer token is not valid for this service.',
          undefined,
          { cause: error },
        );
      }
    },
  };
}
