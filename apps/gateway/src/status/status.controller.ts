import { Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, Roles } from '../access/roles.decorator';
import { DisclosureAudit } from '../audit/disclosureAudit';
import type { Principal } from '../credentials/credentials.service';
import { QuarantineService } from '../quarantine/quarantine.service';
import { CaseReads } from './caseReads';
import { StatusRepository } from './status.repository';

@Controller('v1')
@UseGuards(AccessGuard)
export class StatusController {
  constructor(
    private readonly reads: CaseReads,
    private readonly status: StatusRepository,
    private readonly audit: DisclosureAudit,
    private readonly quarantine: QuarantineService,
  ) {}

  /** The journey of one contact, for the agency that sent it (no case content: stage, rating, times). */
  @Get('contacts/:id')
  @Roles('adapter', 'decision-maker', 'ops')
  async contact(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    const j = await this.status.journey(id);
    if (!j || (p.role === 'adapter' && j.sourceAgency !== p.principal))
      throw new NotFoundException(`no contact '${id}' for ${p.principal}`);
    const { sourceAgency: _agency, ...journey } = j;
    return journey;
  }

  /** The full picture of a case for the decision maker. A disclosure of case content: audited. */
  @Get('cases/:id')
  @Roles('decision-maker')
  async case(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    const picture = await this.reads.read(id, p);
    if (!picture) throw new NotFoundException(`no case '${id}'`);
    return picture;
  }

  @Get('ops/quarantine')
  @Roles('ops')
  async quarantined(@Query('limit') limit?: string, @Query('since') since?: string) {
    return this.quarantine.list(Math.min(1000, Number(limit ?? 100) || 100), since);
  }

  @Get('ops/quarantine/:id')
  @Roles('ops')
  async quarantinedOne(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    const row = await this.quarantine.get(Number(id));
    if (!row) throw new NotFoundException(`no quarantined input ${id}`);
    // Raw rejected input may be a child's record: reading it is a disclosure too.
    await this.audit.record({ principal: p.principal, action: 'read-quarantine', detail: { id: Number(id) } });
    return row;
  }
}
