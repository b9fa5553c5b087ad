import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Policy } from '@mash/policy';
import { affected, RetentionJob, RetentionStep } from '@mash/platform';
import { InjectPolicy } from '../policy.provider';

/**
 * Triage keeps what the ratings matrix and timeliness reports need: every triage.ratings row, and
 * the case row with its ratings, rules, plan, lawful basis and times. It drops who the case was
 * about: the contact's body, the links from contacts to persons, then the persons (and their
 * blocking keys and households) no other case still links to, and the case's own personal fields.
 * Consent overrides stay as the record of the lawful basis (domain.md: recorded case by case) but
 * lose their free-text reason. Only cases decided before the cut-off are touched.
 */
const due = `SELECT case_id FROM triage.cases WHERE decided_at < $1 AND pruned_at IS NULL`;

export const TRIAGE_RETENTION: RetentionStep[] = [
  {
    table: 'contact_subjects',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `DELETE FROM triage.contact_subjects WHERE (contact_id, subject_ref) IN (
           SELECT contact_id, subject_ref FROM triage.contact_subjects WHERE case_id IN (${due}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // incident_ref is kept out too: it is a police reference to the family's incident.
    table: 'contacts',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE triage.contacts SET body = '{}'::jsonb, incident_ref = NULL, duplicate_reasons = NULL WHERE contact_id IN (
           SELECT contact_id FROM triage.contacts WHERE body <> '{}'::jsonb AND case_id IN (${due}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    table: 'consent_overrides',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE triage.consent_overrides SET reason = '' WHERE override_id IN (
           SELECT override_id FROM triage.consent_overrides WHERE reason <> '' AND case_id IN (${due}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // Last of the case's own steps: marking it pruned takes it out of `due` for the steps above.
    table: 'cases',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE triage.cases SET household_id = NULL, allocated_worker = NULL, decided_by = NULL, rating_change_reason = NULL, pruned_at = now()
         WHERE case_id IN (${due} LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // A person stays while any contact still links to them (an open case, or one inside retention).
    // created_at < cutoff spares a person whose first contact is being committed right now.
    table: 'persons',
    run: async (m, cutoff, batch) => {
      const orphans = `SELECT p.person_id FROM triage.persons p WHERE p.created_at < $1
        AND NOT EXISTS (SELECT 1 FROM triage.contact_subjects s WHERE s.person_id = p.person_id) LIMIT $2`;
      const ids = ((await m.query(orphans, [cutoff, batch])) as { person_id: string }[]).map((r) => r.person_id);
      if (!ids.length) return 0;
      await m.query(`DELETE FROM triage.person_blocks WHERE person_id = ANY($1)`, [ids]);
      return affected(await m.query(`DELETE FROM triage.persons WHERE person_id = ANY($1)`, [ids]));
    },
  },
  {
    table: 'households',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `DELETE FROM triage.households WHERE household_id IN (
           SELECT h.household_id FROM triage.households h WHERE h.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM triage.persons p WHERE p.household_id = h.household_id)
           AND NOT EXISTS (SELECT 1 FROM triage.cases c WHERE c.household_id = h.household_id) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
];

@Injectable()
export class TriageRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly job: RetentionJob;
  constructor(ds: DataSource, @InjectPolicy() policy: Policy) {
    this.job = new RetentionJob(ds, 'triage', policy.retention.mashRecordMonths, TRIAGE_RETENTION);
  }
  onApplicationBootstrap(): void {
    this.job.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}
