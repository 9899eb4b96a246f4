import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** An EHR calling the CDS services: its issuer, its signing key and the configuration that trusts it. */
export interface TestEhr {
  issuer: string;
  publicJwk: JWK;
  /** CDS_CLIENTS entry trusting this EHR through a local key set. */
  client: { issuer: string; jwks: { keys: JWK[] } };
  /** A fresh JWT for one call to `path` (aud = base URL + path), as the EHR would sign it. */
  jwt(
    path: string,
    options?: { claims?: JWTPayload; header?: Record<string, unknown>; key?: CryptoKey | Uint8Array; alg?: string },
  ): Promise<string>;
}

/** `now` is the EHR's clock: the test app's clock when that is fixed. */
export async function testEhr(
  baseUrl: string,
  issuer = 'https://ehr.clinic.example',
  now: () => Date = () => new Date(),
): Promise<TestEhr> {
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `${new URL(issuer).hostname}-1`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  return {
    issuer,
    publicJwk,
    client: { issuer, jwks: { keys: [publicJwk] } },
    jwt: async (path, { claims = {}, header = {}, key = privateKey, alg = 'ES384' } = {}) => {
      const iat = Math.floor(now().getTime() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: `${baseUrl}${path}`,
        iat,
        exp: iat + 300,
        jti: crypto.randomUUID(),
        ...claims,
      })
        .setProtectedHeader({ alg, typ: 'JWT', kid, ...header })
        .sign(key);
    },
  };
}
