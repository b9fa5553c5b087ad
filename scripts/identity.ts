import { createHash, randomBytes } from 'node:crypto';

/** Where a person signs in: the provider's issuer and the redirect URI registered for the client. */
export interface IdentityProviderRef {
  issuer: string;
  redirectUri: string;
}

/**
 * Signs a person in as a browser would: authorization code with PKCE through the provider's login
 * form, then the code exchanged for tokens. Returns the access token (a JWT for the hub's API).
 */
export async function signIn(
  idp: IdentityProviderRef,
  username: string,
  password: string,
): Promise<{ accessToken: string; idToken: string }> {
  const jar = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const auth = new URL(`${idp.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: 'mash-workspace',
    response_type: 'code',
    scope: 'openid profile mash',
    redirect_uri: idp.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  })) {
    auth.searchParams.set(k, v);
  }
  let res = await go(auth.toString());
  let location = res.headers.get('location');
  if (!location?.includes('/interaction/')) throw new Error(`expected the login interaction, got ${res.status} ${location}`);
  const uid = /\/interaction\/([^/?]+)/.exec(location)![1];
  res = await go(new URL(location, idp.issuer).toString());
  if (res.status !== 200) throw new Error(`login page answered ${res.status}`);
  res = await go(`${idp.issuer}/interaction/${uid}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (res.status === 401) throw new Error('sign-in refused');
  // Follow the provider's redirects until it sends the browser back to the client with a code.
  for (let hops = 0; hops < 5; hops++) {
    location = res.headers.get('location');
    if (!location) throw new Error(`no redirect after sign-in (HTTP ${res.status}: ${await res.text()})`);
    if (location.startsWith(idp.redirectUri)) break;
    res = await go(new URL(location, idp.issuer).toString());
  }
  const back = new URL(location!);
  if (back.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.searchParams.get('error')} ${back.searchParams.get('error_description')}`);
  const tokenRes = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: idp.redirectUri,
      client_id: 'mash-workspace',
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = (await tokenRes.json()) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!tokens.access_token) throw new Error(`token endpoint: ${tokens.error} ${tokens.error_description}`);
  return { accessToken: tokens.access_token, idToken: tokens.id_token! };
}
