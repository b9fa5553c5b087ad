import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Contact, ContactReceived, FieldError, SubmittingAgency, TOPICS, validateContact } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { recordDisclosure } from '@mash/platform';
import { now as hubNow } from '@mash/platform/clock';
import { ContactsRepository } from './contacts.repository';

export type IntakeResult =
  { kind: 'accepted' | 'already-received'; contactId: string; receivedAt: string } | { kind: 'invalid'; errors: FieldError[] };

/**
 * The front door's one rule set, whether a contact arrives over HTTP or on an inbound topic:
 * validate, keep the same agency reference as one contact, store and publish in one transaction.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly contacts: ContactsRepository,
  ) {}

  async accept(agency: SubmittingAgency, body: unknown, manager?: EntityManager): Promise<IntakeResult> {
    const checked = validateContact(body);
    if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
    const contact = checked.value;
    const run = (m: EntityManager) => this.store(m, agency, contact);
    const result = manager ? await run(manager) : await this.ds.transaction(run);
    if (!manager) this.outbox.nudge();
    return result;
  }

  private async store(m: EntityManager, agency: SubmittingAgency, contact: Contact): Promise<IntakeResult> {
    const contactId = `CT-${randomUUID()}`;
    const receivedAt = hubNow().toISOString();
    if (!(await this.contacts.insertNew(m, { contactId, agency, receivedAt, contact }))) {
      const existing = await this.contacts.byAgencyReference(m, agency, contact.agencyReference);
      return { kind: 'already-received', contactId: existing.contactId, receivedAt: existing.receivedAt.toISOString() };
    }
    const data: ContactReceived = { contactId, receivedAt, sourceAgency: agency, contact };
    await this.outbox.add(m, { topic: TOPICS.contactReceived, key: contactId, data });
    // What was received, from whom: the first entry of every child's disclosure history.
    await recordDisclosure(m, 'gateway', {
      principal: agency,
      action: 'contact-received',
      contactId,
      detail: { referralSource: contact.referrer.source, subjects: contact.subjects.length, consent: contact.consent.status },
    });
    log('info', 'contact accepted', { contactId, agency, subjects: contact.subjects.length });
    return { kind: 'accepted', contactId, receivedAt };
  }
}
