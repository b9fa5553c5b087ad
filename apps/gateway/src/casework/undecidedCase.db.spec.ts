import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@mash/messaging';
import { disclosureAuditMigrationsFor, recordDisclosure } from '@mash/platform';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { PROJECTION_MIGRATIONS } from '../status/projectionTables.fixtures';
import { QuarantineService } from '../quarantine/quarantine.service';
import { countingQueries } from '../../../../test/support/statementCount';
import { CasesRepository } from './cases.repository';
import { writeOnUndecidedCase } from './undecidedCase';

/**
 * A decision (or a consent override) writes on its case under the case's lock and records its
 * disclosure in the gateway's audit chain. The chain's lock is held from the audit row to the
 * commit, and the gateway's other audited writes need a free chain, so the audit
 * row must be the transaction's last statement, whatever order the write recorded things in.
 */
let db: ServiceDb;

beforeAll(async () => {
  db = await createServiceDb('gateway_undecided', 'gateway', [...PROJECTION_MIGRATIONS, ...disclosureAuditMigrationsFor('gateway')]);
  await db.ds.query(
    `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, ready) VALUES ('CS-1', 'CT-1', 'AMBER', 'p1', now(), true)`,
  );
}, 60_000);

afterAll(() => db?.drop());

it('records the disclosure as the last statement before the commit, after what the write sent later', async () => {
  const sent: string[] = [];
  // The transaction as writeOnUndecidedCase opens it, with each statement's first words noted.
  const ds = {
    transaction: <T>(fn: (m: EntityManager) => Promise<T>) =>
      db.ds.transaction((m) => fn(countingQueries(m, (sql) => sent.push(sql.trim().split(/\s+/).slice(0, 3).join(' '))))),
  } as unknown as DataSource;
  await writeOnUndecidedCase(
    { ds, cases: new CasesRepository(db.ds), outbox: { nudge: () => undefined } as unknown as Outbox, quarantine: {} as QuarantineService },
    { caseId: 'CS-1', sender: 'manager-1', channel: 'spec', body: {} },
    async (m) => {
      await recordDisclosure(m, 'gateway', { principal: 'manager-1', action: 'decision-recorded', caseId: 'CS-1', detail: {} });
      await m.query(`UPDATE gateway.cases SET updated_at = now() WHERE case_id = $1`, ['CS-1']);
      return undefined;
    },
  );
  expect(sent).toEqual(['SELECT case_id, contact_id,', 'UPDATE gateway.cases SET', 'INSERT INTO "gateway".disclosure_audit']);
  const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM gateway.disclosure_audit WHERE case_id = 'CS-1'`);
  expect(n).toBe(1);
});
