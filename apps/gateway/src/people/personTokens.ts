import { createRemoteJWKSet, errors, JWTPayload, jwtVerify } from 'jose';

/** A person signed in through the council's OpenID provider, as a decision or an audit row names them. */
export interface Person {
  subject: string;
  name: string;
  roles: string[];
}

export interface OidcSettings {
  /** The provider's issuer URL; its discovery document names the key set. */
  issuer: string;
  /** The audience the hub's API expects in access tokens. */
  audience: string;
  /** The claim that carries the person's hub roles (an array, or a space-separated string). */
  rolesClaim: string;
}

export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined {
  if (!env.MASH_OIDC_ISSUER) return undefined;
  return {
    issuer: env.MASH_OIDC_ISSUER,
    audience: env.MASH_OIDC_AUDIENCE ?? 'urn:mash:hub',
    rolesClaim: env.MASH_OIDC_ROLES_CLAIM ?? 'mash_roles',
  };
}

/** Why a token was refused: said to the caller (401) and kept in the audit of refused access. */
export class TokenRefused extends Error {}

/** A compact JWS (three base64url parts, a JSON header): machine tokens never look like this. */
export const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);

/**
 * Verifies people's access tokens against the provider's published key set: signature, issuer,
 * audience, expiry (with 30 s of clock skew), then reads subject, name and roles. Keys are fetched
 * from the discovery document's `jwks_uri` and refreshed when a token names an unknown key (a
 * provider rotating its keys needs no restart here).
 */
export class PersonTokens {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly settings: OidcSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    const res = await fetch(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`OpenID discovery at ${this.settings.issuer} answered ${res.status}`);
    const discovery = (await res.json()) as { issuer?: string; jwks_uri?: string };
    if (discovery.issuer !== this.settings.issuer || !discovery.jwks_uri)
      throw new Error(`OpenID discovery at ${this.settings.issuer} names another issuer or no key set`);
    this.jwks = createRemoteJWKSet(new URL(discovery.jwks_uri), { cooldownDuration: 30_000 });
    return this.jwks;
  }

  async verify(token: string): Promise<Person> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
        currentDate: this.clock(),
      }));
    } catch (err) {
      throw new TokenRefused(refusal(err));
    }
    const raw = payload[this.settings.rolesClaim];
    const roles = Array.isArray(raw)
      ? raw.filter((r): r is string => typeof r === 'string')
      : typeof raw === 'string'
        ? raw.split(/\s+/).filter(Boolean)
        : [];
    const name = typeof payload.name === 'string' && payload.name ? payload.name : payload.sub!;
    return { subject: payload.sub!, name, roles };
  }
}

function refusal(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted here`;
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed)
    return 'the token is not signed by the configured identity provider';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm not accepted here';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is not a valid JWT';
  return 'the token could not be verified';
}

/** The verifier of people's tokens, or null where no identity provider is configured (then no person can sign in). */
export const PERSON_TOKENS = Symbol('PERSON_TOKENS');

export const personTokensProvider = {
  provide: PERSON_TOKENS,
  useFactory: (): PersonTokens | null => {
    const settings = oidcSettingsFromEnv();
    return settings ? new PersonTokens(settings) : null;
  },
};
