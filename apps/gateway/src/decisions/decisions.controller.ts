import { Body, Controller, Headers, HttpCode, HttpException, Param, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DecisionRecorded, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { CredentialsService } from '../credentials/credentials.service';
import { reject } from '../intake/rejection';
import { RatingTimescales } from '../intake/timescales';
import { readManagerInput } from '../casework/managerInput';
import { QuarantineService } from '../quarantine/quarantine.service';

/**
 * A named decision maker records the outcome; the hub never decides on its own. A decision before
 * checks are complete is refused unless it is a recorded urgent override.
 */
@Controller('v1/cases/:caseId/decision')
export class DecisionsController {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly credentials: CredentialsService,
    private readonly quarantine: QuarantineService,
    private readonly timescales: RatingTimescales,
  ) {}

  @Post()
  @HttpCode(201)
  async record(@Param('caseId') caseId: string, @Headers('authorization') auth: string | undefined, @Body() body: unknown) {
    const channel = 'http-decision';
    const { who, value: decision } = await readManagerInput<DecisionRecorded>(
      { credentials: this.credentials, quarantine: this.quarantine },
      { channel, auth, body, kind: 'decisionRecorded', what: 'decision' },
      () => ({ decisionId: `DC-${randomUUID()}`, caseId, decidedAt: new Date().toISOString() }),
    );
    const refused = decision.outcomes.filter((o) => !this.timescales.allows(o));
    if (refused.length) {
      return reject(this.quarantine, {
        sender: who.principal, channel, status: 422, reason: `outcome not allowed by policy ${this.timescales.policyVersion}`,
        errors: refused.map((o) => ({ path: `/outcomes/${decision.outcomes.indexOf(o)}`, rule: 'policy', message: `'${o}' is not an outcome this locality's policy allows` })),
        raw: body,
      });
    }
    const result = await this.ds.transaction(async (m) => {
      const [c] = await m.query(`SELECT case_id, contact_id, rating, ready, decision_id, policy_version FROM gateway.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
      if (!c) return { status: 404, error: `no case '${caseId}'` };
      if (c.decision_id) return { status: 409, error: `case ${caseId} already has decision ${c.decision_id}` };
      if (!c.ready && !decision.urgentOverride) {
        return { status: 409, error: 'checks are not complete: record an urgentOverride with its reason to decide now' };
      }
      if (decision.finalRating !== c.rating && !decision.ratingChangeReason) {
        return { status: 422, error: `finalRating ${decision.finalRating} differs from the rating ${c.rating}: ratingChangeReason is required` };
      }
      decision.contactId = c.contact_id;
      decision.policyVersion = c.policy_version;
      await m.query(`INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body) VALUES ($1, $2, $3, $4)`, [decision.decisionId, caseId, who.principal, JSON.stringify(decision)]);
      await m.query(`UPDATE gateway.cases SET decision_id = $2, updated_at = now() WHERE case_id = $1`, [caseId, decision.decisionId]);
      await this.outbox.add(m, { topic: TOPICS.decisionRecorded, key: caseId, data: decision });
      return { status: 201 };
    });
    if (result.status !== 201) {
      return reject(this.quarantine, { sender: who.principal, channel, status: result.status, reason: result.error!, raw: body });
    }
    this.outbox.nudge();
    return { decisionId: decision.decisionId, caseId, decidedAt: decision.decidedAt };
  }
}
