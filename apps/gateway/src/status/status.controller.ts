import { Controller, ForbiddenException, Get, Headers, NotFoundException, Param, Query, UnauthorizedException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialsService, Principal, Role } from '../credentials/credentials.service';
import { QuarantineService } from '../quarantine/quarantine.service';

@Controller('v1')
export class StatusController {
  constructor(
    private readonly ds: DataSource,
    private readonly credentials: CredentialsService,
    private readonly quarantine: QuarantineService,
  ) {}

  private async who(auth: string | undefined, roles: Role[]): Promise<Principal> {
    const p = await this.credentials.authenticate(auth);
    if (!p) throw new UnauthorizedException('a valid credential is required');
    if (!roles.includes(p.role)) throw new ForbiddenException(`the ${p.role} role may not do this`);
    return p;
  }

  /** The journey of one contact, for the agency that sent it (no case content: stage, rating, times). */
  @Get('contacts/:id')
  async contact(@Param('id') id: string, @Headers('authorization') auth?: string) {
    const p = await this.who(auth, ['adapter', 'decision-maker', 'ops']);
    const [row] = await this.ds.query(
      `SELECT s.*, c.source_agency, c.agency_reference, c.received_at FROM gateway.contact_status s JOIN gateway.contacts c USING (contact_id) WHERE s.contact_id = $1`,
      [id],
    );
    if (!row || (p.role === 'adapter' && row.source_agency !== p.principal)) throw new NotFoundException(`no contact '${id}' for ${p.principal}`);
    return {
      contactId: row.contact_id,
      agencyReference: row.agency_reference,
      receivedAt: row.received_at,
      stage: row.stage,
      caseId: row.case_id,
      rating: row.rating,
      deadline: row.deadline,
      readyAt: row.ready_at,
      complete: row.complete,
      missingAgencies: row.missing,
      decidedAt: row.decided_at,
      outcomes: row.outcomes,
      referrerInformedAt: row.referrer_informed_at,
      noticeStatus: row.notice_status,
      history: row.history,
    };
  }

  /** The full picture of a case for the decision maker. A disclosure of case content: audited. */
  @Get('cases/:id')
  async case(@Param('id') id: string, @Headers('authorization') auth?: string) {
    const p = await this.who(auth, ['decision-maker']);
    return this.ds.transaction(async (m) => {
      const [row] = await m.query(`SELECT * FROM gateway.cases WHERE case_id = $1`, [id]);
      if (!row) throw new NotFoundException(`no case '${id}'`);
      await m.query(`INSERT INTO gateway.disclosure_audit (principal, action, case_id, contact_id, detail) VALUES ($1, 'read-case', $2, $3, $4)`, [
        p.principal,
        id,
        row.contact_id,
        JSON.stringify({ chronologyEntries: row.chronology.length }),
      ]);
      return {
        caseId: row.case_id,
        contactId: row.contact_id,
        rating: row.rating,
        policyVersion: row.policy_version,
        deadline: row.deadline,
        ready: row.ready,
        replied: row.replied,
        missing: row.missing,
        chronology: row.chronology,
        decisionId: row.decision_id,
      };
    });
  }

  @Get('ops/quarantine')
  async quarantined(@Headers('authorization') auth?: string, @Query('limit') limit?: string, @Query('since') since?: string) {
    await this.who(auth, ['ops']);
    return this.quarantine.list(Math.min(1000, Number(limit ?? 100) || 100), since);
  }

  @Get('ops/quarantine/:id')
  async quarantinedOne(@Param('id') id: string, @Headers('authorization') auth?: string) {
    const p = await this.who(auth, ['ops']);
    const row = await this.quarantine.get(Number(id));
    if (!row) throw new NotFoundException(`no quarantined input ${id}`);
    // Raw rejected input may be a child's record: reading it is a disclosure too.
    await this.ds.query(`INSERT INTO gateway.disclosure_audit (principal, action, detail) VALUES ($1, 'read-quarantine', $2)`, [p.principal, JSON.stringify({ id: Number(id) })]);
    return row;
  }
}
