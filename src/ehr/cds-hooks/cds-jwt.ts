import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';

import type { CdsClient } from '../../config/config';

/** What the verifier needs of an EHR's configuration: its issuer and where its keys are. */
type TrustedIssuer = Pick<CdsClient, 'issuer' | 'jwksUrl' | 'jwks' | 'jku'>;

/** The CDS Hooks recommendation; symmetric algorithms and `none` could be forged by anyone holding the secret. */
export const CDS_JWT_ALGORITHMS = ['ES384', 'RS384'];
const CLOCK_TOLERANCE_SECONDS = 60;
/** A CDS Hooks JWT is made for one call; one older than this is not accepted even before its `exp`. */
const MAX_TOKEN_AGE_SECONDS = 300;
const MAX_TOKEN_ID_LENGTH = 200;

/** The EHR behind a verified call. */
export interface CdsCaller {
  issuer: string;
  /** The JWT's `sub` when it has one (not a CDS Hooks claim; Epic sends its client id). */
  subject?: string;
  /** The EHR's organization claim, when it sends one. */
  tenant?: string;
  tokenId: string;
}

/** Remembers token ids until they could no longer be accepted anyway, so a token is used once. */
export interface TokenIdLedger {
  /** Records the id; false when the issuer's token with this id was seen before. */
  claim(issuer: string, tokenId: string, keepUntil: Date): Promise<boolean>;
}

/** The JWT is not accepted; the message says why, for the EHR's integrator. */
export class CdsTokenRefused extends Error {
  constructor(
    message: string,
    readonly expired = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CdsTokenRefused';
  }
}

/** Keys from the configured set first; the issuer's published set when none of those matches the `kid`. */
function eitherKeySet(local: JWTVerifyGetKey | undefined, remote: JWTVerifyGetKey | undefined): JWTVerifyGetKey {
  return async (header, token) => {
    if (local) {
      try {
        return await local(header, token);
      } catch (error) {
        if (!remote || !(error instanceof errors.JWKSNoMatchingKey)) {
          throw error;
        }
      }
    }
    return remote!(header, token);
  };
}

/** Jose's verdicts become refusals; anything else (the ledger's database failing) stays an error of the service. */
function refusal(error: unknown, invokedUrl: string): unknown {
  if (error instanceof CdsTokenRefused || !(error instanceof errors.JOSEError)) {
    return error;
  }
  const refuse = (message: string, expired = false) => new CdsTokenRefused(message, expired, { cause: error });
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? refuse(
          `The JWT was issued more than ${MAX_TOKEN_AGE_SECONDS / 60} minutes ago (iat); send a new one with each call.`,
          true,
        )
      : refuse('The JWT has expired (exp).', true);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return refuse(`The JWT's aud must be the URL invoked: ${invokedUrl}.`);
    }
    if (error.claim === 'iat' || error.claim === 'nbf') {
      return refuse(`The JWT is not valid yet (${error.claim} is in the future).`);
    }
    return refuse(`The JWT's ${error.claim} is missing or not as required (${error.reason}).`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse(`The JWT's algorithm is not accepted; sign with ${CDS_JWT_ALGORITHMS.join(' or ')}.`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse("No key of the issuer's key set matches the JWT's kid.");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse("The JWT's signature does not verify with the issuer's key.");
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return refuse("The issuer's key set could not be fetched or read.");
  }
  return refuse('The bearer token is not a valid signed JWT.');
}

/**
 * Verifies the JWT an EHR signs for each CDS Hooks call (CDS Hooks 2.0, Security): an issuer on the
 * allow-list, ES384/RS384, `typ` JWT, a `kid`, keys from the issuer's configured set or from a `jku`
 * on its allow-list, `aud` equal to the URL invoked, `exp`/`iat` within limits and a `jti` never seen
 * before. Framework-free; time comes from the clock given.
 */
export class CdsJwtVerifier {
  private readonly clients: Map<string, TrustedIssuer>;
  private readonly issuerKeys = new Map<string, JWTVerifyGetKey>();
  private readonly remoteKeys = new Map<string, JWTVerifyGetKey>();

  constructor(
    clients: TrustedIssuer[],
    private readonly ledger: TokenIdLedger,
    private readonly now: () => Date,
  ) {
    this.clients = new Map(clients.map((client) => [client.issuer, client]));
  }

  async verify(token: string, invokedUrl: string): Promise<CdsCaller> {
    try {
      const { client, keys } = this.keysFor(token);
      const { payload } = await jwtVerify(token, keys, {
        algorithms: CDS_JWT_ALGORITHMS,
        typ: 'JWT',
        issuer: client.issuer,
        audience: invokedUrl,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.now(),
      });
      const tokenId = payload.jti;
      if (typeof tokenId !== 'string' || tokenId.length === 0 || tokenId.length > MAX_TOKEN_ID_LENGTH) {
        throw new CdsTokenRefused(`The JWT's jti must be a string of 1 to ${MAX_TOKEN_ID_LENGTH} characters.`);
      }
      if (!(await this.ledger.claim(client.issuer, tokenId, this.keepUntil(payload)))) {
        throw new CdsTokenRefused('This JWT was already used (jti seen before); sign a new one for each call.');
      }
      const tenant = typeof payload.tenant === 'string' && payload.tenant.length > 0 ? payload.tenant : undefined;
      const subject = typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : undefined;
      return { issuer: client.issuer, tokenId, ...(subject ? { subject } : {}), ...(tenant ? { tenant } : {}) };
    } catch (error) {
      throw refusal(error, invokedUrl);
    }
  }

  /** The issuer (read before the signature is checked, only to pick its keys) and the keys to check with. */
  private keysFor(token: string): { client: TrustedIssuer; keys: JWTVerifyGetKey } {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let issuer: unknown;
    try {
      header = decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch (error) {
      throw new CdsTokenRefused('The bearer token is not a JWT.', false, { cause: error });
    }
    if (typeof header.alg !== 'string' || !CDS_JWT_ALGORITHMS.includes(header.alg)) {
      throw new CdsTokenRefused(
        `The JWT's algorithm ${JSON.stringify(header.alg)} is not accepted; sign with ${CDS_JWT_ALGORITHMS.join(' or ')}.`,
      );
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0) {
      throw new CdsTokenRefused('The JWT header has no kid.');
    }
    const client = typeof issuer === 'string' ? this.clients.get(issuer) : undefined;
    if (!client) {
      throw new CdsTokenRefused(
        `The JWT's issuer ${JSON.stringify(issuer ?? null)} is not an EHR this service is configured to trust.`,
      );
    }
    if (header.jku !== undefined) {
      // Fetching keys from any URL a caller names would let it sign its own tokens (and probe the network).
      if (!client.jku.includes(header.jku)) {
        throw new CdsTokenRefused(
          `The JWT's jku ${JSON.stringify(header.jku)} is not on the allow-list of issuer ${client.issuer}.`,
        );
      }
      return { client, keys: this.remoteKeySet(header.jku) };
    }
    if (!client.jwks && !client.jwksUrl) {
      throw new CdsTokenRefused(`Issuer ${client.issuer} publishes its keys by jku only; the JWT header has none.`);
    }
    return { client, keys: this.issuerKeySet(client) };
  }

  private issuerKeySet(client: TrustedIssuer): JWTVerifyGetKey {
    let keys = this.issuerKeys.get(client.issuer);
    if (!keys) {
      keys = eitherKeySet(
        client.jwks && createLocalJWKSet(client.jwks),
        client.jwksUrl ? this.remoteKeySet(client.jwksUrl) : undefined,
      );
      this.issuerKeys.set(client.issuer, keys);
    }
    return keys;
  }

  private remoteKeySet(url: string): JWTVerifyGetKey {
    let keys = this.remoteKeys.get(url);
    if (!keys) {
      // Cached; an unknown kid refetches at most every 30 s, so key rotation works without a restart.
      const remote = createRemoteJWKSet(new URL(url), {
        timeoutDuration: 2000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
      keys = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          if (error instanceof errors.JOSEError) {
            throw error;
          }
          throw new CdsTokenRefused(`The key set at ${url} could not be fetched.`, false, { cause: error });
        }
      };
      this.remoteKeys.set(url, keys);
    }
    return keys;
  }

  /** A token id is kept until the token could no longer pass the `exp` and age checks. */
  private keepUntil(payload: JWTPayload): Date {
    const lastAccepted = Math.min(payload.exp!, payload.iat! + MAX_TOKEN_AGE_SECONDS) + CLOCK_TOLERANCE_SECONDS;
    return new Date(lastAccepted * 1000);
  }
}
