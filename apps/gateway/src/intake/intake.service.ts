import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Contact, ContactReceived, FieldError, SubmittingAgency, TOPICS, validateContact } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { disclosuresPart } from '@mash/platform';
import { now as hubNow } from '@mash/platform/clock';
import { ContactsRepository } from './contacts.repository';

export type IntakeResult =
  { kind: 'accepted' | 'already-received'; contactId: string; receivedAt: string } | { kind: 'invalid'; errors: FieldError[] };

/**
 * The front door's one rule set, whether a contact arrives over HTTP or on an inbound topic:
 * validate, keep the same agency reference as one contact, store and publish in one statement
 * (one round trip, docs/architecture.md "One statement per accept").
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
    // Over HTTP no transaction is opened: the accept is one statement, atomic on its own.
    const result = await this.store(manager ?? this.ds.manager, agency, contact);
    if (!manager) this.outbox.nudge();
    return result;
  }

  private async store(m: EntityManager, agency: SubmittingAgency, contact: Contact): Promise<IntakeResult> {
    const contactId = `CT-${randomUUID()}`;
    const receivedAt = hubNow().toISOString();
    const data: ContactReceived = { contactId, receivedAt, sourceAgency: agency, contact };
    const event = this.outbox.addPart(m, [{ topic: TOPICS.contactReceived, key: contactId, data }]);
    // What was received, from whom: the first entry of every child's disclosure history.
    const disclosure = disclosuresPart('gateway', [
      {
        principal: agency,
        action: 'contact-received',
        contactId,
        detail: { referralSource: contact.referrer.source, subjects: contact.subjects.length, consent: contact.consent.status },
      },
    ]);
    if (!(await this.contacts.insertNew(m, { contactId, agency, receivedAt, contact }, [event.part, disclosure]))) {
      const existing = await this.contacts.byAgencyReference(m, agency, contact.agencyReference);
      return { kind: 'already-received', contactId: existing.contactId, receivedAt: existing.receivedAt.toISOString() };
    }
    log('info', 'contact accepted', { contactId, agency, subjects: contact.subjects.length });
    return { kind: 'accepted', contactId, receivedAt };
  }
}
