import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsentOverride, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { DisclosureAudit } from '../audit/disclosureAudit';
import type { Principal } from '../credentials/credentials.service';
import { CasesRepository } from '../casework/cases.repository';
import { readManagerInput, signedInPerson } from '../casework/managerInput';
import { writeOnUndecidedCase } from '../casework/undecidedCase';
import { QuarantineService } from '../quarantine/quarantine.service';
import { now as hubNow } from '@mash/platform/clock';

/**
 * A manager records that checks may go ahead without consent (section 47 / risk of significant
 * harm), with the reason. Triage audits it and asks the agencies consent held back; the gateway
 * keeps who sent it in its disclosure audit.
 */
@Injectable()
export class ConsentOverridesService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly quarantine: QuarantineService,
    private readonly audit: DisclosureAudit,
    private readonly cases: CasesRepository,
  ) {}

  private get undecided() {
    return { ds: this.ds, cases: this.cases, outbox: this.outbox, quarantine: this.quarantine };
  }

  /** Records an override sent as JSON text by a signed-in person (the API or the workspace's form). */
  async record(caseId: string, principal: Principal, body: unknown, channel = 'http-consent-override') {
    const { who, value: override } = await readManagerInput<ConsentOverride>(
      { quarantine: this.quarantine },
      { channel, who: principal, body, kind: 'consentOverride', what: 'override' },
      (p) => ({
        overrideId: `CO-${randomUUID()}`,
        caseId,
        recordedAt: hubNow().toISOString(),
        principal: p.principal,
        recordedBy: signedInPerson(p),
      }),
    );
    await writeOnUndecidedCase(this.undecided, { caseId, sender: who.principal, channel, body }, async (m, c) => {
      // Stamped under the case lock, like a decision, so the record's time follows what the lock saw.
      override.recordedAt = hubNow().toISOString();
      await this.audit.record(
        {
          principal: who.principal,
          action: 'consent-override',
          caseId,
          contactId: c.contactId,
          detail: { overrideId: override.overrideId, basis: override.basis },
        },
        m,
      );
      await this.outbox.add(m, { topic: TOPICS.consentOverride, key: caseId, data: override });
      return undefined;
    });
    return { overrideId: override.overrideId, caseId, recordedAt: override.recordedAt };
  }
}
