import {
  ArgumentsHost,
  Catch,
  Controller,
  ExceptionFilter,
  ForbiddenException,
  Get,
  Header,
  HttpException,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { decodeJwt } from 'jose';
import { FieldError, isProblem } from '@mash/contracts';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, Public, Roles } from '../access/roles.decorator';
import { BoardQuery } from '../board/board.query';
import { CasesRepository } from '../casework/cases.repository';
import type { Principal } from '../credentials/credentials.service';
import { DecisionsService } from '../decisions/decisions.service';
import { RatingTimescales } from '../intake/timescales';
import { ConsentOverridesService } from '../overrides/overrides.service';
import { PERSON_TOKENS, PersonTokens } from '../people/personTokens';
import { QuarantineService } from '../quarantine/quarantine.service';
import { CaseReads } from '../status/caseReads';
import { chartJs, COUNTDOWN_JS, INDICATORS_JS, WORKSPACE_CSS } from './assets';
import { IndicatorsService } from '../indicators/indicators.service';
import { readPeriod } from '../indicators/period';
import { LagSampler } from '../lag/lag.sampler';
import { OpsRepository } from './ops.repository';
import { indicatorsPage, opsPage } from './reportPages';
import { decisionFromForm, FormError, formErrors, overrideFromForm } from './decisionForm';
import { casePage, messagePage, queuePage, Viewer } from './pages';
import { WorkspaceSessions } from './sessions.repository';
import { WORKSPACE_OIDC, WorkspaceOidcClient } from './oidcClient';
import { LOGIN_COOKIE, readCookie, SESSION_COOKIE, WorkspaceRequest } from './workspaceSession.middleware';

/** A page asked for without a session goes to sign-in; one for another role says which role it needs. */
@Catch(UnauthorizedException, ForbiddenException)
export class WorkspaceRefusalFilter implements ExceptionFilter {
  catch(err: HttpException, host: ArgumentsHost) {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (err instanceof UnauthorizedException && req.method === 'GET') {
      res.redirect(303, `/workspace/login?return=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const status = err.getStatus();
    const detail = (err.getResponse() as { message?: string }).message ?? err.message;
    res.status(status).send(
      messagePage(status === 401 ? 'Please sign in' : 'Not allowed', String(detail), undefined, {
        href: '/workspace/login',
        text: 'Sign in',
      }),
    );
  }
}

const safeReturn = (r: unknown) => (typeof r === 'string' && /^\/workspace(\/|\?|$)/.test(r) && !r.startsWith('//') ? r : '/workspace');

function sameSecret(a: string | undefined | null, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The decision workspace: plain server-rendered pages (README "Decisions we made"). Sign-in is the
 * council's OpenID provider (code flow with PKCE, run here); the pages read and decide through the
 * services the API uses (CaseReads, DecisionsService, ConsentOverridesService), so a case read is
 * audited and a decision is checked exactly as through the API.
 */
@Controller('workspace')
@UseGuards(AccessGuard)
@UseFilters(WorkspaceRefusalFilter)
export class WorkspaceController {
  constructor(
    @Inject(WORKSPACE_OIDC) private readonly oidc: WorkspaceOidcClient | null,
    @Inject(PERSON_TOKENS) private readonly people: PersonTokens | null,
    private readonly sessions: WorkspaceSessions,
    private readonly board: BoardQuery,
    private readonly reads: CaseReads,
    private readonly cases: CasesRepository,
    private readonly decisions: DecisionsService,
    private readonly overrides: ConsentOverridesService,
    private readonly timescales: RatingTimescales,
    private readonly quarantine: QuarantineService,
    private readonly indicators: IndicatorsService,
    private readonly lag: LagSampler,
    private readonly ops: OpsRepository,
  ) {}

  @Get('assets/indicators.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  indicatorsJs(): string {
    return INDICATORS_JS;
  }

  @Get('assets/chart.umd.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  chart(): string {
    return chartJs();
  }

  @Get('indicators')
  @Roles('decision-maker', 'ops', 'auditor')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async indicatorsView(
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @CurrentPrincipal() p: Principal,
    @Req() req: WorkspaceRequest,
  ): Promise<string> {
    // Without a period: the last full calendar month, as the London template reports.
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
    const f = from ?? first.toISOString().slice(0, 10);
    const t = to ?? last.toISOString().slice(0, 10);
    const read = readPeriod(f, t);
    if (!read.ok)
      return indicatorsPage(
        this.viewer(p, req),
        String(f),
        String(t),
        undefined,
        read.errors.map((e) => e.message),
      );
    return indicatorsPage(this.viewer(p, req), f, t, await this.indicators.figures(read.period), []);
  }

  @Get('ops')
  @Roles('ops')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async opsView(@CurrentPrincipal() p: Principal, @Req() req: WorkspaceRequest): Promise<string> {
    const lag = this.lag.snapshot();
    return opsPage(this.viewer(p, req), lag.groups, lag.absentGroups, lag.sampledAt, await this.ops.figures());
  }

  @Get('assets/workspace.css')
  @Public()
  @Header('Content-Type', 'text/css; charset=utf-8')
  css(): string {
    return WORKSPACE_CSS;
  }

  @Get('assets/countdown.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  countdown(): string {
    return COUNTDOWN_JS;
  }

  @Get('login')
  @Public()
  async login(@Query('return') ret: string | undefined, @Res() res: Response) {
    if (!this.oidc) {
      res
        .status(503)
        .type('html')
        .send(messagePage('Sign-in is not available', 'No identity provider is configured for this hub (MASH_OIDC_ISSUER).'));
      return;
    }
    const { state, verifier } = await this.sessions.beginLogin(safeReturn(ret));
    res.cookie(LOGIN_COOKIE, state, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.oidc.settings.secureCookies,
      path: '/workspace/callback',
      maxAge: 600_000,
    });
    res.redirect(303, await this.oidc.authorizationUrl(state, verifier));
  }

  @Get('callback')
  @Public()
  async callback(
    @Query('code') code: string | undefined,
    @Query('state') state: string | undefined,
    @Query('error') error: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    res.clearCookie(LOGIN_COOKIE, { path: '/workspace/callback' });
    const again = { href: '/workspace/login', text: 'Sign in again' };
    if (!this.oidc || !this.people) {
      res
        .status(503)
        .type('html')
        .send(messagePage('Sign-in is not available', 'No identity provider is configured for this hub (MASH_OIDC_ISSUER).'));
      return;
    }
    if (error || !code || !state) {
      res
        .status(400)
        .type('html')
        .send(messagePage('Sign-in did not finish', `The identity provider answered: ${error ?? 'no code or state'}.`, undefined, again));
      return;
    }
    // The state must be the one this browser was given: a code injected from another browser's sign-in is refused.
    const login = sameSecret(readCookie(req, LOGIN_COOKIE), state) ? await this.sessions.finishLogin(state) : undefined;
    if (!login) {
      res
        .status(400)
        .type('html')
        .send(
          messagePage(
            'Sign-in did not finish',
            'This sign-in was not started in this browser, was already used, or took longer than 10 minutes.',
            undefined,
            again,
          ),
        );
      return;
    }
    let accessToken: string;
    let person;
    try {
      accessToken = await this.oidc.exchange(code, login.verifier);
      person = await this.people.verify(accessToken);
    } catch (err) {
      res
        .status(401)
        .type('html')
        .send(messagePage('Sign-in refused', (err as Error).message, undefined, again));
      return;
    }
    const exp = decodeJwt(accessToken).exp!;
    const session = await this.sessions.open(person.subject, accessToken, new Date(exp * 1000));
    res.cookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.oidc.settings.secureCookies,
      path: '/workspace',
      expires: new Date(exp * 1000),
    });
    res.redirect(303, login.returnTo);
  }

  @Post('logout')
  @Public()
  async logout(@Req() req: WorkspaceRequest, @Res() res: Response) {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    if (req.workspace && sameSecret(form.get('csrf'), req.workspace.csrf)) await this.sessions.close(req.workspace.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/workspace' });
    res
      .status(200)
      .type('html')
      .send(
        messagePage('Signed out', 'You have signed out of the workspace.', undefined, { href: '/workspace/login', text: 'Sign in again' }),
      );
  }

  @Get()
  @Roles('decision-maker')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async queue(@CurrentPrincipal() p: Principal, @Req() req: WorkspaceRequest): Promise<string> {
    const board = await this.board.board(500);
    return queuePage(this.viewer(p, req), board.cases, board.counts.open);
  }

  @Get('cases/:id')
  @Roles('decision-maker')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async case(
    @Param('id') id: string,
    @Query('override') override: string | undefined,
    @CurrentPrincipal() p: Principal,
    @Req() req: WorkspaceRequest,
  ): Promise<string> {
    return this.renderCase(id, p, req, {
      notice: override ? `Consent override ${override} recorded: the checks consent held back are being requested.` : undefined,
    });
  }

  @Post('cases/:id/decision')
  @Roles('decision-maker')
  async decide(@Param('id') id: string, @CurrentPrincipal() p: Principal, @Req() req: WorkspaceRequest, @Res() res: Response) {
    const form = await this.checkedForm(req, p, 'workspace-decision');
    if (!form) return this.forged(res, p, req);
    const refused = await this.attempt(() => this.decisions.record(id, p, JSON.stringify(decisionFromForm(form)), 'workspace-decision'));
    if (refused)
      return res
        .status(refused.status)
        .type('html')
        .send(await this.renderCase(id, p, req, { errors: refused.errors, form }));
    res.redirect(303, `/workspace/cases/${encodeURIComponent(id)}#decided`);
  }

  @Post('cases/:id/consent-override')
  @Roles('decision-maker')
  async consentOverride(@Param('id') id: string, @CurrentPrincipal() p: Principal, @Req() req: WorkspaceRequest, @Res() res: Response) {
    const form = await this.checkedForm(req, p, 'workspace-consent-override');
    if (!form) return this.forged(res, p, req);
    let overrideId = '';
    const refused = await this.attempt(async () => {
      overrideId = (await this.overrides.record(id, p, JSON.stringify(overrideFromForm(form)), 'workspace-consent-override')).overrideId;
    });
    if (refused)
      return res
        .status(refused.status)
        .type('html')
        .send(await this.renderCase(id, p, req, { errors: refused.errors }));
    res.redirect(303, `/workspace/cases/${encodeURIComponent(id)}?override=${encodeURIComponent(overrideId)}`);
  }

  private viewer(p: Principal, req: WorkspaceRequest): Viewer {
    return { name: p.name ?? p.principal, csrf: req.workspace?.csrf ?? '' };
  }

  private async renderCase(
    id: string,
    p: Principal,
    req: WorkspaceRequest,
    extra: { errors?: FormError[]; form?: URLSearchParams; notice?: string },
  ): Promise<string> {
    const picture = await this.reads.read(id, p, 'workspace');
    if (!picture) throw new NotFoundException(`no case '${id}'`);
    const [agencies, decision] = await Promise.all([this.board.caseAgencies(id), picture.decisionId ? this.cases.decision(id) : undefined]);
    return casePage({ viewer: this.viewer(p, req), picture, agencies, outcomes: this.timescales.outcomes(), decision, ...extra });
  }

  /**
   * The form, if it carries this session's token. A form without it did not come from a workspace
   * page (another site posting with the person's cookie): it is kept in the quarantine, not acted on.
   */
  private async checkedForm(req: WorkspaceRequest, p: Principal, channel: string): Promise<URLSearchParams | undefined> {
    const raw = typeof req.body === 'string' ? req.body : '';
    const form = new URLSearchParams(raw);
    if (req.workspace && sameSecret(form.get('csrf'), req.workspace.csrf)) return form;
    form.delete('csrf');
    await this.quarantine.keep({
      sender: p.principal,
      channel,
      status: 403,
      reason: "the form did not carry this session's csrf token",
      raw: form.toString(),
    });
    return undefined;
  }

  private forged(res: Response, p: Principal, req: WorkspaceRequest) {
    res
      .status(403)
      .type('html')
      .send(
        messagePage(
          'Form refused',
          'This form did not come from your workspace session, so nothing was recorded. Open the case again and resend it.',
          this.viewer(p, req),
          { href: '/workspace', text: 'Back to the queue' },
        ),
      );
  }

  /** Runs a service call; its refusal (already quarantined by the service) becomes the form's errors. */
  private async attempt(call: () => Promise<unknown>): Promise<{ status: number; errors: FormError[] } | undefined> {
    try {
      await call();
      return undefined;
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
      const body = err.getResponse();
      if (!isProblem(body)) throw err;
      return { status: err.getStatus(), errors: formErrors(body.detail, body.errors as FieldError[]) };
    }
  }
}
