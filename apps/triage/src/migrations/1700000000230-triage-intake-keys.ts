import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Duplicate-incident detection reads only the contacts that could be the same incident: the same
 * incident reference, the same address, or the candidate people's own contacts, each through an
 * index. The address key is stored so that "same address" is an index lookup, not a scan of bodies.
 */
export class TriageIntakeKeys1700000000230 implements MigrationInterface {
  name = 'TriageIntakeKeys1700000000230';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE triage.contacts ADD COLUMN address_key text`);
    // The same normalisation as the duplicate check's addressKey: postcode without spaces, upper
    // case; first line lower case with every run of other characters one space.
    await q.query(`UPDATE triage.contacts SET address_key =
        upper(regexp_replace(coalesce(body #>> '{contact,household,address,postcode}', ''), '\\s+', '', 'g')) || '|' ||
        btrim(regexp_replace(lower(body #>> '{contact,household,address,lines,0}'), '[^a-z0-9]+', ' ', 'g'))
      WHERE body #>> '{contact,household,address,lines,0}' IS NOT NULL`);
    await q.query(`CREATE INDEX contacts_address ON triage.contacts (address_key, incident_at) WHERE address_key IS NOT NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS triage.contacts_address`);
    await q.query(`ALTER TABLE triage.contacts DROP COLUMN address_key`);
  }
}
