import { api, setToken } from './api';

export interface SignInOptions {
  development: boolean;
  oidc: { authorizationUrl: string; tokenUrl: string; clientId: string; scope: string } | null;
}

export type Role = 'clinician' | 'viewer' | 'admin';

const PKCE_KEY = 'bfr-rx.pkce';

export function base64Url(bytes: Uint8Array): string {
  let text = '';
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** RFC 7636: a random verifier and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64Url(new Uint8Array(digest)) };
}

function redirectUri(): string {
  return `${location.origin}/app/`;
}

/** Development: a token from the development issuer for the chosen role. */
export async function signInForDevelopment(role: Role): Promise<string> {
  const token = await api<{ accessToken: string; subject: string }>('POST', '/app/dev-token', {
    role,
    subject: `dev-${role}`,
  });
  setToken(token.accessToken);
  return token.subject;
}

/**
 * Production: the authorization code flow with PKCE. The verifier and state wait in
 * sessionStorage for the redirect back (they are single-use and not credentials); the token never does.
 */
export async function authorizationRequest(oidc: NonNullable<SignInOptions['oidc']>): Promise<string> {
  const { verifier, challenge } = await pkcePair();
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(oidc.authorizationUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

export async function startOidcSignIn(oidc: NonNullable<SignInOptions['oidc']>): Promise<void> {
  location.assign(await authorizationRequest(oidc));
}

/** On the redirect back: exchanges the code for a token; null when this page load is not a redirect back. */
export async function finishOidcSignIn(oidc: NonNullable<SignInOptions['oidc']>): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const saved = sessionStorage.getItem(PKCE_KEY);
  if (!code || !saved) {
    return null;
  }
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', redirectUri());
  const { verifier, state } = JSON.parse(saved) as { verifier: string; state: string };
  if (params.get('state') !== state) {
    throw new Error('The sign-in answer does not match the request (state); sign in again.');
  }
  const response = await fetch(oidc.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) {
    throw new Error(`The issuer refused the sign-in (${response.status}).`);
  }
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) {
    throw new Error('The issuer answered without an access token.');
  }
  setToken(body.access_token);
  return 'oidc';
}
