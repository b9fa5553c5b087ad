import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A case's own progress (its furthest stage, the steps that took it there, when it became ready
 * and was decided), kept once on the case so that every contact of the case follows it, including
 * a contact that joins the case after those steps. Existing rows take it from the case's first
 * contact, and contacts that joined a case before this catch up with it.
 */
export class CaseProgress1700000000180 implements MigrationInterface {
  name = 'CaseProgress1700000000180';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.cases
      ADD COLUMN stage text NOT NULL DEFAULT 'rated',
      ADD COLUMN history jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN ready_at timestamptz,
      ADD COLUMN complete boolean,
      ADD COLUMN decided_at timestamptz,
      ADD COLUMN outcomes jsonb`);
    const caseStages = `('rated', 'checks-in-progress', 'teams-informed', 'ready-for-decision', 're-rated', 'decided')`;
    await q.query(`UPDATE gateway.cases c SET
        stage = CASE WHEN s.stage IN ('notice-failed', 'no-referrer-channel', 'referrer-informed') THEN 'decided'
                     WHEN s.stage IN ${caseStages} THEN s.stage ELSE 'rated' END,
        history = COALESCE((SELECT jsonb_agg(h) FROM jsonb_array_elements(s.history) h WHERE h->>'stage' IN ${caseStages}), '[]'::jsonb),
        ready_at = s.ready_at, complete = s.complete, decided_at = s.decided_at, outcomes = s.outcomes
      FROM gateway.contact_status s WHERE s.contact_id = c.contact_id`);
    await q.query(`UPDATE gateway.contact_status s SET
        stage = CASE WHEN s.stage IN ('rated', 'checks-in-progress', 'teams-informed') THEN c.stage ELSE s.stage END,
        ready_at = COALESCE(s.ready_at, c.ready_at), complete = COALESCE(s.complete, c.complete),
        decided_at = COALESCE(s.decided_at, c.decided_at), outcomes = COALESCE(s.outcomes, c.outcomes)
      FROM gateway.cases c WHERE s.case_id = c.case_id AND s.contact_id <> c.contact_id`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE gateway.cases DROP COLUMN stage, DROP COLUMN history, DROP COLUMN ready_at, DROP COLUMN complete, DROP COLUMN decided_at, DROP COLUMN outcomes`,
    );
  }
}
