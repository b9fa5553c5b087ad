import { Injectable } from '@nestjs/common';
import { partsAsCtes, sealedJsonb, StatementPart } from '@mash/at-rest';
import { EntityManager } from 'typeorm';
import type { Contact, SubmittingAgency } from '@mash/contracts';

/**
 * gateway.contacts and each contact's first status row, written together in one statement with
 * whatever else the intake writes for a new contact (its event, its disclosure). The body is sealed
 * here (docs/architecture.md, "Encryption at rest").
 */
@Injectable()
export class ContactsRepository {
  /**
   * The contact, with its status row at stage 'received' (the status projection moves it on) and
   * `withIt`'s rows, in one statement: one round trip, and atomic without a transaction of its own.
   * False when this agency's reference is already a contact: nothing is written, and the rows are
   * left as they were.
   */
  async insertNew(
    m: EntityManager,
    c: { contactId: string; agency: SubmittingAgency; receivedAt: string; contact: Contact },
    withIt: StatementPart[] = [],
  ): Promise<boolean> {
    const params: unknown[] = [
      c.contactId,
      c.agency,
      c.contact.agencyReference,
      c.receivedAt,
      sealedJsonb(c.contact),
      JSON.stringify([{ at: c.receivedAt, stage: 'received' }]),
    ];
    const inserted: { contact_id: string }[] = await m.query(
      `WITH c AS (
         INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_agency, agency_reference) DO NOTHING RETURNING contact_id
       ), s AS (
         INSERT INTO gateway.contact_status (contact_id, stage, history) SELECT contact_id, 'received', $6 FROM c
       )${partsAsCtes(params, withIt, 'EXISTS (SELECT 1 FROM c)')}
       SELECT contact_id FROM c`,
      params,
    );
    return inserted.length > 0;
  }

  async byAgencyReference(
    m: EntityManager,
    agency: SubmittingAgency,
    agencyReference: string,
  ): Promise<{ contactId: string; receivedAt: Date }> {
    const [existing] = await m.query(
      `SELECT contact_id, received_at FROM gateway.contacts WHERE source_agency = $1 AND agency_reference = $2`,
      [agency, agencyReference],
    );
    return { contactId: existing.contact_id, receivedAt: new Date(existing.received_at) };
  }
}
