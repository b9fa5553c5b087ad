import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from '../credentials/credentials.service';

export const ACCESS_RULE = 'mash:access-rule';
export const REFUSAL_QUARANTINE = 'mash:refusal-quarantine';

export type AccessRule = { public: true } | { roles: Role[] };

/** Who may call this route: a credential with one of these roles. Checked by AccessGuard. */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ACCESS_RULE, { roles } satisfies AccessRule);

/** A route anyone may call (published contracts, a page with no data in it). */
export const Public = () => SetMetadata(ACCESS_RULE, { public: true } satisfies AccessRule);

export interface RefusalQuarantine {
  /** The quarantine channel the refused body is kept under. */
  channel: string;
  /** The path parameter naming who the caller claims to be, for the sender of an unauthenticated body. */
  claimedSenderParam?: string;
  /** The status for a valid credential of another role (an adapter route treats it as no adapter credential). */
  otherRoleStatus?: 401 | 403;
}

/**
 * A route whose body is agency or manager input: a refused call keeps the body in the quarantine
 * with the reason, as any other refusal of input is kept, and answers with its quarantine id.
 */
export const QuarantineRefused = (q: RefusalQuarantine) => SetMetadata(REFUSAL_QUARANTINE, q);

/** The principal AccessGuard authenticated for this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  // Only reachable on a route without a role rule, which AccessGuard refuses: a wiring mistake.
  if (!principal) throw new Error('no authenticated principal on this request: is the route guarded by AccessGuard with @Roles?');
  return principal;
});
