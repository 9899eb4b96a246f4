import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

import type { AuthConfig } from '../config/config';
import { ownerOnlyDirectory } from '../common/owner-only';
import type { Role } from './principal';

const ALGORITHM = 'ES256';

export interface DevelopmentKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * The local issuer's signing key, made on first use and kept beside the database (owner-only
 * permissions), so tokens minted by `npm run token` stay valid across restarts.
 */
export async function developmentKey(file: string): Promise<DevelopmentKey> {
  if (existsSync(file)) {
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    const { d: _secret, ...publicJwk } = privateJwk;
    return { privateJwk, publicJwk };
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' };
  ownerOnlyDirectory(dirname(file));
  writeFileSync(file, JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { privateJwk, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
}

export interface TokenRequest {
  subject: string;
  tenant: string;
  roles: Role[];
  /** Lifetime in seconds. */
  ttlSeconds: number;
  now: Date;
}

/** Signs a bearer token with the development key, as an OIDC issuer would, with the claims the service reads. */
export async function mintToken(
  auth: Extract<AuthConfig, { mode: 'development' }>,
  request: TokenRequest,
): Promise<string> {
  const key = await developmentKey(auth.keyFile);
  const iat = Math.floor(request.now.getTime() / 1000);
  return new SignJWT({ [auth.tenantClaim]: request.tenant, [auth.rolesClaim]: request.roles })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.privateJwk.kid, typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + request.ttlSeconds)
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}
