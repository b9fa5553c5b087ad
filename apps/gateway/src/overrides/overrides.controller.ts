import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, QuarantineRefused, Roles } from '../access/roles.decorator';
import type { Principal } from '../credentials/credentials.service';
import { ConsentOverridesService } from './overrides.service';

/** The consent override API (ConsentOverridesService holds the rules). */
@Controller('v1/cases/:caseId/consent-override')
@UseGuards(AccessGuard)
export class ConsentOverridesController {
  constructor(private readonly overrides: ConsentOverridesService) {}

  @Post()
  @HttpCode(201)
  @Roles('decision-maker')
  @QuarantineRefused({ channel: 'http-consent-override' })
  async record(@Param('caseId') caseId: string, @CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.overrides.record(caseId, principal, body);
  }
}
