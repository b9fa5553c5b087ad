import { sealedJsonb } from '@mash/at-rest';
import { GatewayTables1700000000100 } from '../migrations/1700000000100-gateway-tables';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { TransfersRepository } from './transfers.repository';

/** The transfer's contact and decision time come from the sealed bodies as intake and decisions store them. */
let db: ServiceDb;

beforeAll(async () => {
  db = await createServiceDb('mash_transfers_repo', 'gateway', [GatewayTables1700000000100], 2);
}, 60000);

afterAll(() => db?.drop());

it('opens the sealed contact and decision bodies', async () => {
  const contact = {
    agencyReference: 'R1',
    referrer: { source: '5A', channel: { kind: 'topic' } },
    subjects: [],
    presentingIssues: [],
    narrative: 'n',
  };
  await db.ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ('C1', 'police', 'R1', now(), $1)`,
    [sealedJsonb(contact)],
  );
  await db.ds.query(
    `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline) VALUES ('K1', 'C1', 'RED', 'p', now())`,
  );
  await db.ds.query(`INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body) VALUES ('D1', 'K1', 'dm', $1)`, [
    sealedJsonb({ decisionId: 'D1', caseId: 'K1', decidedAt: '2026-10-02T13:00:00.000Z' }),
  ]);
  const found = await new TransfersRepository().contactAndDecision(db.ds.manager, 'C1', 'D1');
  expect(found).toEqual({ contact, decidedAt: '2026-10-02T13:00:00.000Z' });
  expect(await new TransfersRepository().contactAndDecision(db.ds.manager, 'C1', 'D2')).toBeUndefined();
});
