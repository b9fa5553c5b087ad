import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { problem } from '@mash/contracts';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CredentialsService, Principal } from '../credentials/credentials.service';
import { looksLikeJwt, PERSON_TOKENS, PersonTokens, TokenRefused } from '../people/personTokens';
import { reject } from '../intake/rejection';
import { QuarantineService } from '../quarantine/quarantine.service';
import { AccessAudit } from './accessAudit';
import { RefusalLimiter } from './refusalLimiter';
import { ACCESS_RULE, AccessRule, REFUSAL_QUARANTINE, RefusalQuarantine } from './roles.decorator';

type GuardedRequest = Request & { principal?: Principal };

/** What the quarantine keeps of a body sent without a valid credential (docs/trust-boundary.md). */
export const UNAUTHENTICATED_KEEP_BYTES = 4096;

/**
 * The gateway's one authentication and roles check. Every HTTP route declares who may call it
 * (@Roles or @Public); a route that declares nothing is refused, so a new route is closed until
 * someone decides who may use it. Every refusal is audited (AccessAudit); on routes that take
 * agency or manager input the refused body is also quarantined (@QuarantineRefused).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly audit: AccessAudit,
    private readonly quarantine: QuarantineService,
    private readonly limiter: RefusalLimiter,
    @Inject(PERSON_TOKENS) private readonly people: PersonTokens | null,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [ctx.getHandler(), ctx.getClass()]);
    const onRefusal = this.reflector.getAllAndOverride<RefusalQuarantine | undefined>(REFUSAL_QUARANTINE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (rule && 'public' in rule) return true;

    const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (presented && looksLikeJwt(presented)) return this.person(req, rule, onRefusal, presented);
    const found = presented ? await this.credentials.identify(presented) : undefined;
    if (!rule) return this.refuse(req, onRefusal, found, presented, 403, 'this route declares no access rule');
    if (!found || found.revoked) return this.refuse(req, onRefusal, found, presented, 401, 'a valid credential is required');
    if (!rule.roles.includes(found.role)) {
      return this.refuse(
        req,
        onRefusal,
        found,
        presented,
        onRefusal?.otherRoleStatus ?? 403,
        `this needs the ${rule.roles.join(' or ')} role; ${found.principal} has the ${found.role} role`,
      );
    }
    req.principal = { principal: found.principal, role: found.role };
    return true;
  }

  /**
   * A person's access token from the council's identity provider: verified against its key set,
   * then one of their roles must be one the route allows. What they do is recorded under their
   * subject and display name.
   */
  private async person(
    req: GuardedRequest,
    rule: AccessRule | undefined,
    onRefusal: RefusalQuarantine | undefined,
    token: string,
  ): Promise<boolean> {
    if (!this.people)
      return this.refuse(
        req,
        onRefusal,
        undefined,
        token,
        401,
        'people cannot sign in here: no identity provider is configured (MASH_OIDC_ISSUER)',
      );
    let person;
    try {
      person = await this.people.verify(token);
    } catch (err) {
      if (err instanceof TokenRefused) return this.refuse(req, onRefusal, undefined, token, 401, err.message);
      throw err;
    }
    const who = { principal: person.subject, role: person.roles.join(' ') || 'none', revoked: false };
    if (!rule || !('roles' in rule)) return this.refuse(req, onRefusal, who, token, 403, 'this route declares no access rule');
    const role = rule.roles.find((r) => person.roles.includes(r));
    if (!role) {
      return this.refuse(
        req,
        onRefusal,
        who,
        token,
        onRefusal?.otherRoleStatus ?? 403,
        `this needs the ${rule.roles.join(' or ')} role; ${person.subject} has ${person.roles.length ? `the ${person.roles.join(', ')} role` : 'no role in the hub'}`,
      );
    }
    req.principal = { principal: person.subject, role, name: person.name };
    return true;
  }

  private async refuse(
    req: GuardedRequest,
    onRefusal: RefusalQuarantine | undefined,
    found: { principal: string; role?: string; revoked: boolean } | undefined,
    presented: string | undefined,
    status: 401 | 403,
    reason: string,
  ): Promise<never> {
    const credential = !presented ? 'none' : !found ? 'unknown' : found.revoked ? 'revoked' : 'valid';
    // With no credential the body was never read (main.ts): the connection closes rather than drain it.
    if (!presented) req.res?.setHeader('connection', 'close');
    if (!this.limiter.allow(req.ip ?? req.socket.remoteAddress ?? 'unknown')) {
      req.res?.setHeader('retry-after', '1');
      throw new HttpException(problem(429, 'too many refused requests from this address: wait, then send a valid credential'), 429);
    }
    const params = (req.params ?? {}) as Record<string, string>;
    await this.audit.refused({
      principal: found?.principal,
      role: found?.role,
      credential,
      method: req.method,
      route: (req.route as { path?: string } | undefined)?.path ?? req.path,
      params,
      status,
      reason,
    });
    if (onRefusal) {
      const claimed = onRefusal.claimedSenderParam ? params[onRefusal.claimedSenderParam]?.slice(0, 50) : undefined;
      const sender = found && !found.revoked ? found.principal : claimed ? `unauthenticated:${claimed}` : 'unauthenticated';
      // A caller who is not authenticated gets little kept: the first 4 KiB and the hash of the rest.
      return reject(this.quarantine, {
        sender,
        channel: onRefusal.channel,
        status,
        reason,
        raw: req.body,
        keepBytes: credential === 'valid' ? undefined : UNAUTHENTICATED_KEEP_BYTES,
      });
    }
    throw status === 401 ? new UnauthorizedException(reason) : new ForbiddenException(reason);
  }
}
