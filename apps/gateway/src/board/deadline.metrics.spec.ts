import 'reflect-metadata';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { GatewayTables1700000000100 } from '../migrations/1700000000100-gateway-tables';
import { BoardQuery } from './board.query';
import { DeadlineMetrics } from './deadline.metrics';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';

/** The deadline-breach gauges on a real Postgres: what the alert rules in infra/prometheus read. */
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('deadline_metrics', 'gateway', [GatewayTables1700000000100]);
  ds = db.ds;
}, 60000);

afterAll(() => db?.drop());

it('counts open and overdue undecided cases by rating, zeros included; decided cases never count', async () => {
  const open = async (id: string, rating: string, deadlineMinutes: number) =>
    ds.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline) VALUES ($1, $1, $2, 'p1', now() + $3 * interval '1 minute')`,
      [id, rating, deadlineMinutes],
    );
  await open('R-late', 'RED', -5);
  await open('R-late-2', 'RED', -300);
  await open('R-ok', 'RED', 60);
  await open('A-ok', 'AMBER', 600);
  await open('G-late-decided', 'GREEN', -60);
  await ds.query(`UPDATE gateway.cases SET decision_id = 'D-1' WHERE case_id = 'G-late-decided'`);

  new DeadlineMetrics(new BoardQuery(ds)).onModuleInit();
  const text = await register.metrics();
  const value = (name: string, rating: string) => Number(new RegExp(`^${name}\\{rating="${rating}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  expect([
    value('mash_cases_past_deadline', 'RED'),
    value('mash_cases_past_deadline', 'AMBER'),
    value('mash_cases_past_deadline', 'GREEN'),
  ]).toEqual([2, 0, 0]);
  expect([
    value('mash_cases_open', 'RED'),
    value('mash_cases_open', 'AMBER'),
    value('mash_cases_open', 'GREEN'),
    value('mash_cases_open', 'BLUE'),
  ]).toEqual([3, 1, 0, 0]);
});
