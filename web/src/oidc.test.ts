import { afterEach, describe, expect, it, vi } from 'vitest';

import { hasToken, setToken } from './api';
import { authorizationRequest, base64Url, finishOidcSignIn } from './auth';

const oidc = {
  authorizationUrl: 'https://id.clinic.example/authorize',
  tokenUrl: 'https://id.clinic.example/token',
  clientId: 'bfr-rx-web',
  scope: 'openid',
};

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
  sessionStorage.clear();
  history.replaceState(null, '', '/app/');
});

describe('signing in at the OIDC issuer (authorization code with PKCE)', () => {
  it('asks for a code with an S256 challenge and exchanges it with the verifier; the token stays in memory', async () => {
    const url = new URL(await authorizationRequest(oidc));
    expect(url.origin + url.pathname).toBe(oidc.authorizationUrl);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('bfr-rx-web');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('redirect_uri')).toBe(`${location.origin}/app/`);

    history.replaceState(null, '', `/app/?code=the-code&state=${params.get('state')}`);
    const exchange = vi.fn(async (_url: string, init: RequestInit) => {
      const body = new URLSearchParams(init.body as string);
      const digest = new Uint8Array(
        await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body.get('code_verifier')!)),
      );
      const valid =
        body.get('grant_type') === 'authorization_code' &&
        body.get('code') === 'the-code' &&
        base64Url(digest) === params.get('code_challenge');
      return new Response(
        JSON.stringify(valid ? { access_token: 'eyJ.token.sig', token_type: 'Bearer' } : { error: 'invalid_grant' }),
        {
          status: valid ? 200 : 400,
          headers: { 'content-type': 'application/json' },
        },
      );
    });
    vi.stubGlobal('fetch', exchange);
    expect(await finishOidcSignIn(oidc)).toBe('oidc');
    expect(exchange).toHaveBeenCalledWith(oidc.tokenUrl, expect.objectContaining({ method: 'POST' }));
    expect(hasToken()).toBe(true);
    expect(location.search).toBe('');
    expect(JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })).not.toContain('eyJ');
  });

  it('refuses an answer whose state is not the one sent', async () => {
    await authorizationRequest(oidc);
    history.replaceState(null, '', '/app/?code=the-code&state=forged');
    const exchange = vi.fn();
    vi.stubGlobal('fetch', exchange);
    await expect(finishOidcSignIn(oidc)).rejects.toThrow(/state/);
    expect(exchange).not.toHaveBeenCalled();
    expect(hasToken()).toBe(false);
  });

  it('is not a sign-in when the page was not opened by the issuer', async () => {
    expect(await finishOidcSignIn(oidc)).toBeNull();
  });
});
