import { Body, Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { isSubmittingAgency } from '@mash/contracts';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, QuarantineRefused, Roles } from '../access/roles.decorator';
import type { Principal } from '../credentials/credentials.service';
import { QuarantineService } from '../quarantine/quarantine.service';
import { parseJson, reject } from './rejection';
import { IntakeService } from './intake.service';
import { RateLimiter } from './rateLimit';
import { RatingTimescales } from './timescales';

@Controller('v1/agencies/:agency/contacts')
@UseGuards(AccessGuard)
export class IntakeController {
  private readonly limiter = new RateLimiter(
    Number(process.env.MASH_RATE_LIMIT_PER_SEC ?? 50),
    Number(process.env.MASH_RATE_LIMIT_BURST ?? 200),
  );

  constructor(
    private readonly intake: IntakeService,
    private readonly quarantine: QuarantineService,
    private readonly timescales: RatingTimescales,
  ) {}

  @Post()
  @HttpCode(202)
  // Another role's credential is no adapter credential: refused as unauthenticated, body kept.
  @Roles('adapter')
  @QuarantineRefused({ channel: 'http', claimedSenderParam: 'agency', otherRoleStatus: 401 })
  async submit(
    @Param('agency') agency: string,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const channel = 'http';
    if (!isSubmittingAgency(agency)) {
      return reject(this.quarantine, {
        sender: 'unknown',
        channel,
        status: 404,
        reason: `unknown agency '${agency.slice(0, 50)}'`,
        raw: body,
      });
    }
    if (who.principal !== agency) {
      return reject(this.quarantine, {
        sender: who.principal,
        channel,
        status: 403,
        reason: `the ${who.principal} adapter may submit only as ${who.principal}`,
        raw: body,
      });
    }
    if (!this.limiter.take(who.principal)) {
      res.setHeader('Retry-After', '1');
      return reject(this.quarantine, {
        sender: who.principal,
        channel,
        status: 429,
        reason: 'too many submissions: slow down and retry',
        raw: body,
      });
    }
    const parsed = parseJson(body);
    if (!parsed.ok)
      return reject(this.quarantine, {
        sender: who.principal,
        channel,
        status: parsed.status,
        reason: parsed.message,
        errors: parsed.errors,
        raw: body,
      });
    const result = await this.intake.accept(agency, parsed.value);
    if (result.kind === 'invalid') {
      return reject(this.quarantine, {
        sender: who.principal,
        channel,
        status: 422,
        reason: 'the contact breaks the canonical contact rules',
        errors: result.errors,
        raw: body,
      });
    }
    if (result.kind === 'already-received') res.status(200);
    return {
      contactId: result.contactId,
      receivedAt: result.receivedAt,
      status: result.kind,
      statusUrl: `/v1/contacts/${result.contactId}`,
      nextSteps:
        'The MASH will rate this contact for risk, check with the agencies that know the family in proportion to that risk, and a manager will decide. You will receive an outcome notice.',
      timescales: this.timescales.describe(),
      policyVersion: this.timescales.policyVersion,
    };
  }
}
