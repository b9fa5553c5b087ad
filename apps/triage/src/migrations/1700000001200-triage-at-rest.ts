import { MigrationInterface, QueryRunner } from 'typeorm';
import { dataKeys } from '@mash/at-rest';

/**
 * Encryption at rest (docs/architecture.md, "Encryption at rest"): people's names, date of birth,
 * postcode and identifiers become one sealed `identity`; identifiers, blocking keys, incident
 * references and address keys become keyed digests; contact bodies are sealed. Existing rows are
 * converted here, in batches, with the process's keyring; the plain columns are then dropped.
 */
export class TriageAtRest1700000001200 implements MigrationInterface {
  name = 'TriageAtRest1700000001200';
  async up(q: QueryRunner): Promise<void> {
    const keys = dataKeys();
    const nhs = (v: string | null) => (v ? keys.lookup('nhs', v) : null);
    const upn = (v: string | null) => (v ? keys.lookup('upn', v.toUpperCase()) : null);
    const police = (v: string | null) => (v ? keys.lookup('police', v) : null);

    await q.query(`ALTER TABLE triage.persons ADD COLUMN identity text`);
    type P = {
      person_id: string;
      given_name: string | null;
      family_name: string | null;
      date_of_birth: string | null;
      postcode: string | null;
      nhs_number: string | null;
      upn: string | null;
      police_person_id: string | null;
    };
    for (;;) {
      const rows: P[] = await q.query(`SELECT * FROM triage.persons WHERE identity IS NULL ORDER BY person_id LIMIT 500`);
      if (!rows.length) break;
      for (const r of rows) {
        const identity: Record<string, string> = {};
        const pairs: [string, string | null][] = [
          ['givenName', r.given_name],
          ['familyName', r.family_name],
          ['dateOfBirth', r.date_of_birth],
          ['postcode', r.postcode],
          ['nhsNumber', r.nhs_number],
          ['upn', r.upn],
          ['policePersonId', r.police_person_id],
        ];
        for (const [k, v] of pairs) if (v) identity[k] = v;
        await q.query(`UPDATE triage.persons SET identity = $2, nhs_number = $3, upn = $4, police_person_id = $5 WHERE person_id = $1`, [
          r.person_id,
          keys.sealJson(identity),
          nhs(r.nhs_number),
          upn(r.upn),
          police(r.police_person_id),
        ]);
      }
    }
    await q.query(
      `ALTER TABLE triage.persons DROP COLUMN given_name, DROP COLUMN family_name, DROP COLUMN date_of_birth, DROP COLUMN postcode`,
    );

    // Blocking keys: rebuilt as digests (the primary key is (block, person_id), so a new table is simplest).
    await q.query(`ALTER TABLE triage.person_blocks RENAME TO person_blocks_plain`);
    await q.query(`ALTER TABLE triage.person_blocks_plain RENAME CONSTRAINT person_blocks_pkey TO person_blocks_plain_pkey`);
    await q.query(
      `CREATE TABLE triage.person_blocks (block text NOT NULL, person_id text NOT NULL REFERENCES triage.persons(person_id), PRIMARY KEY (block, person_id))`,
    );
    for (let after = ['', '']; ;) {
      const rows: { block: string; person_id: string }[] = await q.query(
        `SELECT block, person_id FROM triage.person_blocks_plain WHERE (block, person_id) > ($1, $2) ORDER BY block, person_id LIMIT 2000`,
        after,
      );
      if (!rows.length) break;
      await q.query(
        `INSERT INTO triage.person_blocks (block, person_id) SELECT unnest($1::text[]), unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [rows.map((r) => keys.lookup('block', r.block)), rows.map((r) => r.person_id)],
      );
      after = [rows[rows.length - 1].block, rows[rows.length - 1].person_id];
    }
    await q.query(`DROP TABLE triage.person_blocks_plain`);

    for (;;) {
      const rows: { contact_id: string; body: unknown; incident_ref: string | null; address_key: string | null }[] = await q.query(
        `SELECT contact_id, body, incident_ref, address_key FROM triage.contacts WHERE jsonb_typeof(body) = 'object' AND body <> '{}'::jsonb ORDER BY contact_id LIMIT 500`,
      );
      if (!rows.length) break;
      for (const r of rows) {
        await q.query(`UPDATE triage.contacts SET body = to_jsonb($2::text), incident_ref = $3, address_key = $4 WHERE contact_id = $1`, [
          r.contact_id,
          keys.sealJson(r.body),
          r.incident_ref ? keys.lookup('incident', r.incident_ref) : null,
          r.address_key ? keys.lookup('address', r.address_key) : null,
        ]);
      }
    }

    const open: { open_case_id: string; nhs_number: string | null; upn: string | null; police_person_id: string | null }[] = await q.query(
      `SELECT open_case_id, nhs_number, upn, police_person_id FROM triage.open_cases`,
    );
    for (const r of open) {
      await q.query(`UPDATE triage.open_cases SET nhs_number = $2, upn = $3, police_person_id = $4 WHERE open_case_id = $1`, [
        r.open_case_id,
        nhs(r.nhs_number),
        upn(r.upn),
        police(r.police_person_id),
      ]);
    }
  }

  async down(): Promise<void> {
    throw new Error('TriageAtRest1700000001200 cannot be undone: the plain values are not kept (restore from a backup taken before it)');
  }
}
