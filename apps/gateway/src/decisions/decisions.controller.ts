import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, QuarantineRefused, Roles } from '../access/roles.decorator';
import type { Principal } from '../credentials/credentials.service';
import { DecisionsService } from './decisions.service';

/** The decision API: a named decision maker records the outcome (DecisionsService holds the rules). */
@Controller('v1/cases/:caseId/decision')
@UseGuards(AccessGuard)
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Post()
  @HttpCode(201)
  @Roles('decision-maker')
  @QuarantineRefused({ channel: 'http-decision' })
  async record(@Param('caseId') caseId: string, @CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.decisions.record(caseId, principal, body);
  }
}
