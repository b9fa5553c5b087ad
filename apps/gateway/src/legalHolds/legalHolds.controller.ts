import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LegalHold, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { AccessGuard } from '../access/access.guard';
import { CurrentPrincipal, QuarantineRefused, Roles } from '../access/roles.decorator';
import type { Principal } from '../credentials/credentials.service';
import { reject } from '../intake/rejection';
import { CasesRepository } from '../casework/cases.repository';
import { readManagerInput, signedInPerson } from '../casework/managerInput';
import { QuarantineService } from '../quarantine/quarantine.service';
import { LegalHoldsRepository } from './legalHolds.repository';

/**
 * A manager sets or lifts a legal hold on a case (`held` true or false, with the reason). The
 * gateway records it in its own holds table and audit chain and publishes it, so every service
 * stops (or resumes) purging the case: its rows, its outbox events (docs/retention.md).
 */
@Controller('v1/cases/:caseId/legal-hold')
@UseGuards(AccessGuard)
export class LegalHoldsController {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly quarantine: QuarantineService,
    private readonly cases: CasesRepository,
    private readonly holds: LegalHoldsRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('manager')
  @QuarantineRefused({ channel: 'http-legal-hold' })
  async record(@Param('caseId') caseId: string, @CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    const channel = 'http-legal-hold';
    const { who, value: hold } = await readManagerInput<LegalHold>(
      { quarantine: this.quarantine },
      { channel, who: principal, body, kind: 'legalHold', what: 'legal hold' },
      (p) => ({
        holdId: `LH-${randomUUID()}`,
        caseId,
        recordedAt: new Date().toISOString(),
        principal: p.principal,
        recordedBy: signedInPerson(p),
      }),
    );
    const found = await this.ds.transaction(async (m) => {
      await this.holds.lockForWrite(m);
      if (!(await this.cases.lock(m, caseId))) return false;
      // Stamped under the lock: of two holds on a case, the later stamp is the one applied last.
      hold.recordedAt = new Date().toISOString();
      await this.holds.record(m, hold);
      await this.outbox.add(m, { topic: TOPICS.legalHold, key: caseId, data: hold });
      return true;
    });
    if (!found) return reject(this.quarantine, { sender: who.principal, channel, status: 404, reason: `no case '${caseId}'`, raw: body });
    this.outbox.nudge();
    return { holdId: hold.holdId, caseId, held: hold.held, recordedAt: hold.recordedAt };
  }
}
