import { createHash } from 'node:crypto';
import { oidcSettingsFromEnv } from '../people/personTokens';

export interface WorkspaceClientSettings {
  issuer: string;
  clientId: string;
  /** Where the browser reaches the workspace: the callback is `<publicUrl>/workspace/callback`. */
  publicUrl: string;
  /** Cookies marked Secure (production: the workspace is served over TLS at the ingress). */
  secureCookies: boolean;
}

export function workspaceSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkspaceClientSettings | undefined {
  const oidc = oidcSettingsFromEnv(env);
  if (!oidc) return undefined;
  const publicUrl = (env.MASH_WORKSPACE_URL ?? `http://127.0.0.1:${env.GATEWAY_PORT ?? 8080}`).replace(/\/$/, '');
  const production = env.NODE_ENV === 'production';
  if (production && !publicUrl.startsWith('https://')) {
    throw new Error('MASH_WORKSPACE_URL must be an https:// address in production mode (the session cookie is Secure)');
  }
  return { issuer: oidc.issuer, clientId: env.MASH_WORKSPACE_CLIENT_ID ?? 'mash-workspace', publicUrl, secureCookies: production };
}

/**
 * The workspace as an OpenID Connect client: authorization code with PKCE (S256), run by the
 * server, so the code, the verifier and the tokens never reach the page's script. The access token
 * it gets is the same JWT a decision maker presents to the API, verified the same way.
 */
export class WorkspaceOidcClient {
  private endpoints?: { authorization: string; token: string; endSession?: string };

  constructor(readonly settings: WorkspaceClientSettings) {}

  get redirectUri(): string {
    return `${this.settings.publicUrl}/workspace/callback`;
  }

  private async discover() {
    if (this.endpoints) return this.endpoints;
    const res = await fetch(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`OpenID discovery at ${this.settings.issuer} answered ${res.status}`);
    const d = (await res.json()) as {
      issuer?: string;
      authorization_endpoint?: string;
      token_endpoint?: string;
      end_session_endpoint?: string;
    };
    if (d.issuer !== this.settings.issuer || !d.authorization_endpoint || !d.token_endpoint)
      throw new Error(`OpenID discovery at ${this.settings.issuer} names another issuer or no endpoints`);
    this.endpoints = { authorization: d.authorization_endpoint, token: d.token_endpoint, endSession: d.end_session_endpoint };
    return this.endpoints;
  }

  async authorizationUrl(state: string, verifier: string): Promise<string> {
    const url = new URL((await this.discover()).authorization);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const params = {
      client_id: this.settings.clientId,
      response_type: 'code',
      scope: 'openid profile mash',
      redirect_uri: this.redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** The code exchanged for the access token (a JWT for the hub's audience). */
  async exchange(code: string, verifier: string): Promise<string> {
    const res = await fetch((await this.discover()).token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.redirectUri,
        client_id: this.settings.clientId,
        code_verifier: verifier,
      }).toString(),
    });
    const tokens = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || !tokens.access_token)
      throw new Error(
        `the identity provider refused the sign-in code (${tokens.error ?? res.status}${tokens.error_description ? `: ${tokens.error_description}` : ''})`,
      );
    return tokens.access_token;
  }
}

/** The workspace's OpenID client, or null where no identity provider is configured (then nobody signs in). */
export const WORKSPACE_OIDC = Symbol('WORKSPACE_OIDC');

export const workspaceOidcProvider = {
  provide: WORKSPACE_OIDC,
  useFactory: (): WorkspaceOidcClient | null => {
    const settings = workspaceSettingsFromEnv();
    return settings ? new WorkspaceOidcClient(settings) : null;
  },
};
