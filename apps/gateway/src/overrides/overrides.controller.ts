import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsentOverride, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { CredentialsService } from '../credentials/credentials.service';
import { reject } from '../intake/rejection';
import { readManagerInput } from '../casework/managerInput';
import { QuarantineService } from '../quarantine/quarantine.service';

/**
 * A manager records that checks may go ahead without consent (section 47 / risk of significant
 * harm), with the reason. Triage audits it and asks the agencies consent held back; the gateway
 * keeps who sent it in its disclosure audit.
 */
@Controller('v1/cases/:caseId/consent-override')
export class ConsentOverridesController {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly credentials: CredentialsService,
    private readonly quarantine: QuarantineService,
  ) {}

  @Post()
  @HttpCode(201)
  async record(@Param('caseId') caseId: string, @Headers('authorization') auth: string | undefined, @Body() body: unknown) {
    const channel = 'http-consent-override';
    const { who, value: override } = await readManagerInput<ConsentOverride>(
      { credentials: this.credentials, quarantine: this.quarantine },
      { channel, auth, body, kind: 'consentOverride', what: 'override' },
      (p) => ({ overrideId: `CO-${randomUUID()}`, caseId, recordedAt: new Date().toISOString(), principal: p.principal }),
    );
    const result = await this.ds.transaction(async (m) => {
      const [c] = await m.query(`SELECT case_id, contact_id, decision_id FROM gateway.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
      if (!c) return { status: 404, error: `no case '${caseId}'` };
      if (c.decision_id) return { status: 409, error: `case ${caseId} already has decision ${c.decision_id}` };
      await m.query(`INSERT INTO gateway.disclosure_audit (principal, action, case_id, contact_id, detail) VALUES ($1, 'consent-override', $2, $3, $4)`, [
        who.principal,
        caseId,
        c.contact_id,
        JSON.stringify({ overrideId: override.overrideId, basis: override.basis }),
      ]);
      await this.outbox.add(m, { topic: TOPICS.consentOverride, key: caseId, data: override });
      return { status: 201 };
    });
    if (result.status !== 201) {
      return reject(this.quarantine, { sender: who.principal, channel, status: result.status, reason: result.error!, raw: body });
    }
    this.outbox.nudge();
    return { overrideId: override.overrideId, caseId, recordedAt: override.recordedAt };
  }
}
