import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Policy } from '@mash/policy';
import { RetentionJob, RetentionStep } from '@mash/platform';
import { pruneCases, stripOverrideReasons } from '../cases/cases.repository';
import { stripContactsOfPrunableCases, unlinkSubjectsOfPrunableCases } from '../contacts/contacts.repository';
import { deleteEmptyHouseholds, deleteUnlinkedPersons } from '../people/people.repository';
import { InjectPolicy } from '../policy.provider';

/**
 * Triage keeps what the ratings matrix and timeliness reports need: every triage.ratings row, and
 * the case row with its ratings, rules, plan, lawful basis and times. It drops who the case was
 * about: the contact's body, the links from contacts to persons, then the persons (and their
 * blocking keys and households) no other case still links to, and the case's own personal fields.
 * Consent overrides stay as the record of the lawful basis (recorded case by case) but
 * lose their free-text reason. Only cases decided before the cut-off are touched.
 */
export const TRIAGE_RETENTION: RetentionStep[] = [
  { table: 'contact_subjects', run: unlinkSubjectsOfPrunableCases },
  // incident_ref and the address key are cleared too: they point at the family's incident and home.
  { table: 'contacts', run: stripContactsOfPrunableCases },
  { table: 'consent_overrides', run: stripOverrideReasons },
  // Last of the case's own steps: marking it pruned takes it out of the steps above.
  { table: 'cases', run: pruneCases },
  // A person stays while any contact still links to them (an open case, or one inside retention).
  { table: 'persons', run: deleteUnlinkedPersons },
  { table: 'households', run: deleteEmptyHouseholds },
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
