import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DecisionRecorded, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import type { Principal } from '../credentials/credentials.service';
import { reject } from '../intake/rejection';
import { RatingTimescales } from '../intake/timescales';
import { DisclosureAudit } from '../audit/disclosureAudit';
import { CasesRepository } from '../casework/cases.repository';
import { readManagerInput, signedInPerson } from '../casework/managerInput';
import { writeOnUndecidedCase } from '../casework/undecidedCase';
import { QuarantineService } from '../quarantine/quarantine.service';
import { HubKeys } from '../transfers/hubKeys';
import { TransferSender } from '../transfers/transferSender';
import { TransfersRepository } from '../transfers/transfers.repository';
import { now as hubNow } from '@mash/platform/clock';

/**
 * A named decision maker records the outcome; the hub never decides on its own. A decision before
 * checks are complete is refused unless it is a recorded urgent override.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly quarantine: QuarantineService,
    private readonly timescales: RatingTimescales,
    private readonly cases: CasesRepository,
    private readonly audit: DisclosureAudit,
    private readonly hubs: HubKeys,
    private readonly transfers: TransfersRepository,
    private readonly sender: TransferSender,
  ) {}

  private get undecided() {
    return { ds: this.ds, cases: this.cases, outbox: this.outbox, quarantine: this.quarantine };
  }

  /**
   * Records a decision sent as JSON text by a signed-in person (the API, or the workspace's form
   * turned into the same JSON): one set of rules, one quarantine for what they refuse.
   */
  async record(caseId: string, principal: Principal, body: unknown, channel = 'http-decision') {
    const { who, value: decision } = await readManagerInput<DecisionRecorded>(
      { quarantine: this.quarantine },
      { channel, who: principal, body, kind: 'decisionRecorded', what: 'decision' },
      (p) => ({ decisionId: `DC-${randomUUID()}`, caseId, decidedAt: hubNow().toISOString(), decisionMaker: signedInPerson(p) }),
    );
    const refused = decision.outcomes.filter((o) => !this.timescales.allows(o));
    if (refused.length) {
      return reject(this.quarantine, {
        sender: who.principal,
        channel,
        status: 422,
        reason: `outcome not allowed by policy ${this.timescales.policyVersion}`,
        errors: refused.map((o) => ({
          path: `/outcomes/${decision.outcomes.indexOf(o)}`,
          rule: 'policy',
          message: `'${o}' is not an outcome this locality's policy allows`,
        })),
        raw: body,
      });
    }
    const sender = who.principal;
    await writeOnUndecidedCase(this.undecided, { caseId, sender, channel, body }, async (m, c) => {
      if (!c.ready && !decision.urgentOverride) {
        return { status: 409, error: 'checks are not complete: record an urgentOverride with its reason to decide now' };
      }
      if (decision.finalRating !== c.rating && !decision.ratingChangeReason) {
        return {
          status: 422,
          error: `finalRating ${decision.finalRating} differs from the rating ${c.rating}: ratingChangeReason is required`,
        };
      }
      const transfer = this.transferTarget(decision, c.outOfAreaHub);
      if (transfer && 'error' in transfer)
        return { status: 422, error: transfer.error, errors: [{ path: '/transferTo', rule: transfer.rule, message: transfer.error }] };
      // Stamped under the case lock: a stamp taken before waiting for it could fall before the
      // readiness this decision rests on, which may commit while the request waits.
      decision.decidedAt = hubNow().toISOString();
      decision.contactId = c.contactId;
      decision.policyVersion = c.policyVersion;
      if (transfer) decision.transferTo = transfer.hubId;
      await this.cases.recordDecision(m, decision, sender);
      if (transfer) {
        await this.transfers.add(m, {
          transferId: `TR-${randomUUID()}`,
          caseId,
          contactId: c.contactId,
          decisionId: decision.decisionId,
          toHub: transfer.hubId,
        });
      }
      await this.audit.record(
        {
          principal: sender,
          action: 'decision-recorded',
          caseId,
          contactId: c.contactId,
          detail: { decisionId: decision.decisionId, outcomes: decision.outcomes, finalRating: decision.finalRating },
        },
        m,
      );
      await this.outbox.add(m, { topic: TOPICS.decisionRecorded, key: caseId, data: decision });
      return undefined;
    });
    if (decision.transferTo) this.sender.nudge();
    return {
      decisionId: decision.decisionId,
      caseId,
      decidedAt: decision.decidedAt,
      ...(decision.transferTo ? { transferTo: decision.transferTo } : {}),
    };
  }

  /**
   * A transfer goes to the hub the decision names, else the one triage flagged; it must be a
   * neighbour the policy lists with its endpoint and key, or nothing could carry it.
   */
  private transferTarget(d: DecisionRecorded, flagged: string | null): { hubId: string } | { error: string; rule: string } | undefined {
    if (!d.outcomes.includes('transfer')) {
      return d.transferTo ? { error: "transferTo is only for the outcome 'transfer'", rule: 'transfer-outcome' } : undefined;
    }
    const hubId = d.transferTo ?? flagged;
    if (!hubId) return { error: 'a transfer needs transferTo: triage flagged no neighbouring MASH for this case', rule: 'required' };
    const n = this.hubs.neighbour(hubId);
    return n.ok ? { hubId } : { error: n.reason, rule: 'neighbour' };
  }
}
