import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsentOverride, FieldError, TOPICS, validateData } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { CredentialsService } from '../credentials/credentials.service';
import { parseJson, reject } from '../intake/rejection';
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
    const who = await this.credentials.authenticate(auth);
    if (!who || who.role !== 'decision-maker') {
      return reject(this.quarantine, { sender: who?.principal ?? 'unauthenticated', channel, status: who ? 403 : 401, reason: 'a decision-maker credential is required', raw: body });
    }
    const parsed = parseJson(body);
    if (!parsed.ok) {
      const p = parsed as { message: string; status?: number; errors?: FieldError[] };
      return reject(this.quarantine, { sender: who.principal, channel, status: p.status ?? 400, reason: p.message, errors: p.errors, raw: body });
    }
    const override = {
      ...(parsed.value as object),
      overrideId: `CO-${randomUUID()}`,
      caseId,
      recordedAt: new Date().toISOString(),
      principal: who.principal,
    } as ConsentOverride;
    const checked = validateData<ConsentOverride>('consentOverride', override);
    if (!checked.ok) {
      const errors = checked.errors.map((e) => ({ ...e, path: e.path.replace(/^\/data/, '') || '/' }));
      return reject(this.quarantine, { sender: who.principal, channel, status: 422, reason: 'the override breaks the consent override rules', errors, raw: body });
    }
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
