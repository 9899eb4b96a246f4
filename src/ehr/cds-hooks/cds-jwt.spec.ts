import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { DataSource } from 'typeorm';

import { Clock } from '../../common/clock';
import type { CdsClient } from '../../config/config';
import { dataSourceOptions } from '../../database/data-source';
import { ENTITIES } from '../../entities';
import { CdsJwtVerifier, CdsTokenRefused } from './cds-jwt';
import { CdsTokenId } from './cds-token-id.entity';
import { StoredTokenIds } from './stored-token-ids';

class SteppedClock extends Clock {
  constructor(public at: Date) {
    super();
  }

  now(): Date {
    return this.at;
  }
}

const EHR = 'https://ehr.clinic.example';
const URL_INVOKED = 'https://bfr.clinic.example/cds-services/bfr-screening';
const START = new Date('2026-11-20T09:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

type SigningKey = { privateKey: CryptoKey; publicJwk: JWK };

async function signingKey(alg: 'ES384' | 'RS384' | 'RS256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A local HTTP server publishing a key set, counting how often it is asked. */
async function keySetServer(keys: JWK[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('CdsJwtVerifier', () => {
  let dir: string;
  let db: DataSource;
  let clock: SteppedClock;
  let es384: SigningKey;
  let rs384: SigningKey;
  let published: Awaited<ReturnType<typeof keySetServer>>;
  let other: Awaited<ReturnType<typeof keySetServer>>;
  let sut: CdsJwtVerifier;
  let clients: Array<Omit<CdsClient, 'fhirServers'>>;

  const verifierOn = (database: DataSource) =>
    new CdsJwtVerifier(clients, new StoredTokenIds(database, clock), () => clock.now());

  async function sign(
    key: SigningKey,
    {
      alg = 'ES384',
      kid = 'ehr-es384',
      typ = 'JWT',
      jku,
      claims = {},
      iat = seconds(clock.now()),
    }: { alg?: string; kid?: string | null; typ?: string; jku?: string; claims?: JWTPayload; iat?: number } = {},
  ): Promise<string> {
    return new SignJWT({
      iss: EHR,
      aud: URL_INVOKED,
      iat,
      exp: iat + 300,
      jti: crypto.randomUUID(),
      tenant: 'clinic-north',
      ...claims,
    })
      .setProtectedHeader({ alg, typ, ...(kid === null ? {} : { kid }), ...(jku ? { jku } : {}) })
      .sign(key.privateKey);
  }

  async function refusalOf(token: string, invoked = URL_INVOKED): Promise<string> {
    const error = await sut.verify(token, invoked).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CdsTokenRefused);
    return (error as CdsTokenRefused).message;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-cds-jwt-'));
    db = await new DataSource(
      dataSourceOptions({ kind: 'sqlite', file: join(dir, 'db.sqlite') }, ENTITIES),
    ).initialize();
    es384 = await signingKey('ES384', 'ehr-es384');
    rs384 = await signingKey('RS384', 'ehr-rs384');
    published = await keySetServer([rs384.publicJwk]);
    other = await keySetServer([rs384.publicJwk]);
    clients = [{ issuer: EHR, jwks: { keys: [es384.publicJwk] } as CdsClient['jwks'], jku: [published.url] }];
  });

  beforeEach(() => {
    clock = new SteppedClock(START);
    sut = verifierOn(db);
  });

  afterAll(async () => {
    await db.destroy();
    await published.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts an ES384 JWT signed with a key of the configured set, naming the EHR and its organization', async () => {
    const caller = await sut.verify(await sign(es384), URL_INVOKED);
    expect(caller).toEqual({ issuer: EHR, tenant: 'clinic-north', tokenId: expect.any(String) });
  });

  it('accepts an RS384 JWT whose keys are at an allow-listed jku, fetching them once', async () => {
    const before = published.hits();
    await sut.verify(await sign(rs384, { alg: 'RS384', kid: 'ehr-rs384', jku: published.url }), URL_INVOKED);
    await sut.verify(await sign(rs384, { alg: 'RS384', kid: 'ehr-rs384', jku: published.url }), URL_INVOKED);
    expect(published.hits() - before).toBe(1);
  });

  it('refuses a jku that is not on the allow-list, without fetching it', async () => {
    const message = await refusalOf(await sign(rs384, { alg: 'RS384', kid: 'ehr-rs384', jku: other.url }));
    expect(message).toContain('is not on the allow-list');
    expect(other.hits()).toBe(0);
  });

  it.each([
    ['HS256', 'a shared secret'],
    ['RS256', 'an algorithm outside the allow-list'],
  ])('refuses %s (%s)', async (alg) => {
    const token =
      alg === 'HS256'
        ? await new SignJWT({ iss: EHR, aud: URL_INVOKED, jti: 'x' })
            .setProtectedHeader({ alg, typ: 'JWT', kid: 'ehr-es384' })
            .setIssuedAt(seconds(clock.now()))
            .setExpirationTime(seconds(clock.now()) + 300)
            .sign(new TextEncoder().encode('a-secret-anyone-could-guess-0123456789'))
        : await sign(await signingKey('RS256', 'ehr-rs256'), { alg, kid: 'ehr-rs256' });
    expect(await refusalOf(token)).toContain('ES384 or RS384');
  });

  it('refuses a JWT meant for another URL, naming the URL invoked', async () => {
    const token = await sign(es384, { claims: { aud: 'https://bfr.clinic.example/cds-services/another' } });
    expect(await refusalOf(token)).toBe(`The JWT's aud must be the URL invoked: ${URL_INVOKED}.`);
  });

  it('refuses an expired JWT, one older than five minutes and one issued in the future', async () => {
    const issued = seconds(clock.now());
    clock.at = new Date(START.getTime() + 400_000);
    expect(await refusalOf(await sign(es384, { iat: issued }))).toBe('The JWT has expired (exp).');
    expect(await refusalOf(await sign(es384, { iat: issued, claims: { exp: issued + 3600 } }))).toContain(
      'more than 5 minutes ago',
    );
    clock.at = START;
    expect(await refusalOf(await sign(es384, { iat: issued + 120, claims: { exp: issued + 400 } }))).toContain(
      'in the future',
    );
  });

  it('accepts a JWT within the minute of clock skew', async () => {
    const issued = seconds(clock.now()) + 30;
    await expect(sut.verify(await sign(es384, { iat: issued }), URL_INVOKED)).resolves.toMatchObject({ issuer: EHR });
  });

  it('refuses a replayed jti, on this replica and on another one sharing the database', async () => {
    const token = await sign(es384);
    await sut.verify(token, URL_INVOKED);
    expect(await refusalOf(token)).toContain('already used');
    const replica = await new DataSource(
      dataSourceOptions({ kind: 'sqlite', file: join(dir, 'db.sqlite') }, ENTITIES),
    ).initialize();
    try {
      await expect(verifierOn(replica).verify(token, URL_INVOKED)).rejects.toThrow('already used');
    } finally {
      await replica.destroy();
    }
  });

  it('refuses an issuer it is not configured to trust', async () => {
    expect(await refusalOf(await sign(es384, { claims: { iss: 'https://evil.example' } }))).toContain(
      '"https://evil.example" is not an EHR',
    );
  });

  it('refuses a JWT signed by another key under the same kid', async () => {
    const impostor = await signingKey('ES384', 'ehr-es384');
    expect(await refusalOf(await sign(impostor))).toContain('signature does not verify');
  });

  it('refuses a JWT without kid, jti or typ JWT, and a token that is not a JWT', async () => {
    expect(await refusalOf(await sign(es384, { kid: null }))).toBe('The JWT header has no kid.');
    expect(await refusalOf(await sign(es384, { claims: { jti: undefined } }))).toContain('jti');
    expect(await refusalOf(await sign(es384, { typ: 'at+jwt' }))).toContain('typ');
    expect(await refusalOf('not.a.jwt')).toBe('The bearer token is not a JWT.');
  });

  it("finds a key by kid at the issuer's configured JWKS URL", async () => {
    clients = [{ issuer: EHR, jwksUrl: published.url, jku: [] }];
    sut = verifierOn(db);
    await expect(sut.verify(await sign(rs384, { alg: 'RS384', kid: 'ehr-rs384' }), URL_INVOKED)).resolves.toMatchObject(
      { issuer: EHR },
    );
    expect(await refusalOf(await sign(es384))).toContain('No key');
    clients = [{ issuer: EHR, jwks: { keys: [es384.publicJwk] } as CdsClient['jwks'], jku: [published.url] }];
  });

  it('forgets token ids once their tokens could no longer be accepted', async () => {
    await sut.verify(await sign(es384), URL_INVOKED);
    expect(await db.getRepository(CdsTokenId).countBy({ issuer: EHR })).toBeGreaterThan(0);
    clock.at = new Date(START.getTime() + 3_600_000);
    sut = verifierOn(db);
    await sut.verify(await sign(es384), URL_INVOKED);
    expect(await db.getRepository(CdsTokenId).countBy({ issuer: EHR })).toBe(1);
  });
});
