import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Contact, ContactReceived, FieldError, SubmittingAgency, TOPICS, validateContact } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';

export type IntakeResult =
  | { kind: 'accepted' | 'already-received'; contactId: string; receivedAt: string }
  | { kind: 'invalid'; errors: FieldError[] };

/**
 * The front door's one rule set, whether a contact arrives over HTTP or on an inbound topic:
 * validate, keep the same agency reference as one contact, store and publish in one transaction.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
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
    const receivedAt = new Date().toISOString();
    const inserted: { contact_id: string }[] = await m.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_agency, agency_reference) DO NOTHING RETURNING contact_id`,
      [contactId, agency, contact.agencyReference, receivedAt, JSON.stringify(contact)],
    );
    if (inserted.length === 0) {
      const [existing] = await m.query(
        `SELECT contact_id, received_at FROM gateway.contacts WHERE source_agency = $1 AND agency_reference = $2`,
        [agency, contact.agencyReference],
      );
      return { kind: 'already-received', contactId: existing.contact_id, receivedAt: new Date(existing.received_at).toISOString() };
    }
    await m.query(
      `INSERT INTO gateway.contact_status (contact_id, stage, history) VALUES ($1, 'received', $2)`,
      [contactId, JSON.stringify([{ at: receivedAt, stage: 'received' }])],
    );
    const data: ContactReceived = { contactId, receivedAt, sourceAgency: agency, contact };
    await this.outbox.add(m, { topic: TOPICS.contactReceived, key: contactId, data });
    log('info', 'contact accepted', { contactId, agency, subjects: contact.subjects.length });
    return { kind: 'accepted', contactId, receivedAt };
  }
}
