import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Configuration, Provider as ProviderType } from 'oidc-provider';
import { findPerson } from './people';

export interface IdentityOptions {
  issuer: string;
  /** The audience of access tokens: the hub's API, as the gateway is configured to expect it. */
  audience: string;
  /** Where the decision workspace (and other browser clients) may be sent back with a code. */
  redirectUris: string[];
  accessTokenTtlSeconds: number;
  rolesClaim: string;
}

export const WORKSPACE_CLIENT_ID = 'mash-workspace';

/**
 * A standard OpenID Connect provider (the `oidc-provider` library) configured as a council's
 * identity provider would be for the hub: authorization code with PKCE for a public browser
 * client, signed JWT access tokens for the hub's API audience carrying the person's name and
 * roles, short lifetimes. Only the people and the login page are the demo's.
 */
export function identityProvider(opts: IdentityOptions): ProviderType {
  // oidc-provider is published as an ES module; Node 20.19+ and 22+ load it with require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Provider } = require('oidc-provider') as typeof import('oidc-provider');
  // A fresh signing key per start: tokens from an earlier run are refused after a restart. It is
  // exported from a key object of its own, parsed from PEM: exporting the generated key object
  // deadlocks Node 20 when a garbage collection frees the finished keygen job mid-export (both take
  // that key's mutex). It hung about one start in six under the services' small semispaces
  // (SERVICE_NODE_FLAGS).
  const { privateKey: pem } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const jwk = {
    ...createPrivateKey(pem).export({ format: 'jwk' }),
    alg: 'ES256',
    use: 'sig',
    kid: `demo-${randomBytes(4).toString('hex')}`,
  };
  const scope = 'openid profile mash';
  const claimsOf = (subject: string) => {
    const p = findPerson(subject);
    return p ? { name: p.name, [opts.rolesClaim]: p.roles } : undefined;
  };
  const config: Configuration = {
    clients: [
      {
        client_id: WORKSPACE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'ES256',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: opts.redirectUris,
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'mash'],
    claims: { openid: ['sub'], profile: ['name'], mash: [opts.rolesClaim] },
    async findAccount(_ctx, id) {
      const claims = claimsOf(id);
      return claims ? { accountId: id, claims: async () => ({ sub: id, ...claims }) } : undefined;
    },
    async extraTokenClaims(_ctx, token) {
      return token.kind === 'AccessToken' && token.accountId ? claimsOf(token.accountId) : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope,
          audience: opts.audience,
          accessTokenTTL: opts.accessTokenTtlSeconds,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    // The hub's own client: consent is the council's information sharing agreement, not a prompt.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(scope);
      grant.addResourceScope(opts.audience, scope);
      await grant.save();
      return grant;
    },
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: {
      AccessToken: opts.accessTokenTtlSeconds,
      IdToken: opts.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError(ctx, out) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    },
  };
  return new Provider(opts.issuer, config);
}
