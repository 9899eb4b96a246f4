import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DomainError, ErrorCode } from '../common/problem';
import { loadConfig } from '../config/config';
import { mintToken } from './development-issuer';
import { createTokenVerifier } from './token-verifier';

describe('bearer token verifier', () => {
  const config = loadConfig({ AUTH_DEV_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'bfr-rx-verifier-')), 'key.json') });
  const mint = (ttlSeconds: number) => {
    if (config.auth.mode !== 'development') {
      throw new Error('these tokens are signed by the development issuer');
    }
    return mintToken(config.auth, {
      subject: 'pt-7',
      tenant: 'clinic-north',
      roles: ['clinician'],
      ttlSeconds,
      now: new Date(),
    });
  };

  afterEach(() => jest.restoreAllMocks());

  it('refuses a token it verified before once the token has expired', async () => {
    const verifier = await createTokenVerifier(config.auth);
    const token = await mint(60);
    await expect(verifier.verify(token)).resolves.toEqual({
      subject: 'pt-7',
      tenant: 'clinic-north',
      roles: ['clinician'],
    });
    const later = Date.now() + 120_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'The bearer token has expired.',
    });
  });

  it('refuses a token whose signature was changed, after verifying the original', async () => {
    const verifier = await createTokenVerifier(config.auth);
    const token = await mint(3600);
    await verifier.verify(token);
    // A character inside the signature: the last one may only carry padding bits.
    const at = token.length - 10;
    const forged = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    await expect(verifier.verify(forged)).rejects.toBeInstanceOf(DomainError);
  });

  it('gives every request the same principal, which none can change', async () => {
    const verifier = await createTokenVerifier(config.auth);
    const token = await mint(3600);
    const first = await verifier.verify(token);
    expect(() => (first.roles as string[]).push('admin')).toThrow(TypeError);
    expect((await verifier.verify(token)).roles).toEqual(['clinician']);
  });
});
