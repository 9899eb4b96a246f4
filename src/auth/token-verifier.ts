import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';

import type { AuthConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import { developmentKey } from './development-issuer';
import { type Principal, Role } from './principal';

/** Asymmetric algorithms only: a shared-secret token could be forged by anyone holding the secret. */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'PS384', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * A token verified once is taken at its word again for a short while, without checking its
 * signature: a browser sends the same token with every request, and the signature check was a
 * large part of a request's cost. Bounded so that a key the issuer withdraws stops being honoured
 * within the same time, and in number so that the memory does not grow with the callers.
 */
const REMEMBER_VERIFIED_MS = 60_000;
const MAX_REMEMBERED_TOKENS = 10_000;

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

interface VerifiedToken {
  principal: Principal;
  /** The token's `exp`, in seconds. */
  expiresAt: number;
  /** When the signature was checked, in milliseconds. */
  verifiedAt: number;
}

/**
 * Verified tokens by their exact text (signature included, so a changed claim is another token),
 * each honoured until the token expires as jose would judge it (with the same clock tolerance)
 * and for at most REMEMBER_VERIFIED_MS after its signature was checked.
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, VerifiedToken>();

  get(token: string, nowMs: number): Principal | undefined {
    const known = this.tokens.get(token);
    if (!known) {
      return undefined;
    }
    if (nowMs - known.verifiedAt >= REMEMBER_VERIFIED_MS || known.expiresAt <= nowMs / 1000 - CLOCK_TOLERANCE_SECONDS) {
      this.tokens.delete(token);
      return undefined;
    }
    return known.principal;
  }

  remember(token: string, principal: Principal, expiresAt: number, nowMs: number): void {
    if (this.tokens.size >= MAX_REMEMBERED_TOKENS) {
      // Maps iterate in insertion order: the first key is the one verified longest ago.
      this.tokens.delete(this.tokens.keys().next().value!);
    }
    this.tokens.set(token, { principal, expiresAt, verifiedAt: nowMs });
  }
}

/** Verifies bearer tokens against the configured issuer's keys; every failure is a 401. */
export async function createTokenVerifier(config: AuthConfig): Promise<TokenVerifier> {
  const keys =
    config.mode === 'oidc'
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : createLocalJWKSet({ keys: [(await developmentKey(config.keyFile)).publicJwk] });
  const verified = new VerifiedTokens();
  return {
    async verify(token) {
      const now = Date.now();
      const known = verified.get(token, now);
      if (known) {
        return known;
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'sub'],
          currentDate: new Date(now),
        });
        const principal = principalFrom(payload, config);
        // Shared by every request that presents this token: none may change it for the others.
        Object.freeze(principal.roles);
        Object.freeze(principal);
        verified.remember(token, principal, payload.exp!, now);
        return principal;
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
