import { Client } from 'pg';

/** The auditor's reads across a database's schemas (scripts/audit.ts); each chain's own rows are read by @mash/platform. */
export const auditRows = {
  /** The schemas in this database that keep a disclosure chain. */
  async chainSchemas(pg: Client): Promise<string[]> {
    const { rows } = await pg.query(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'disclosure_audit' ORDER BY table_schema`,
    );
    return rows.map((r) => r.table_schema as string);
  },

  /** The contacts that became this case, as the gateway's status projection links them (none where no gateway schema is). */
  async contactIdsOfCase(pg: Client, caseId: string): Promise<string[]> {
    if (!(await pg.query(`SELECT to_regclass('gateway.contact_status') IS NOT NULL AS ok`)).rows[0].ok) return [];
    return (await pg.query(`SELECT contact_id FROM gateway.contact_status WHERE case_id = $1`, [caseId])).rows.map((r) => r.contact_id);
  },
};
