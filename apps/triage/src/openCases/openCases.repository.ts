import type { EntityManager } from 'typeorm';
import { dataKeys, isSealed } from '@mash/at-rest';

/**
 * Children open to social care (triage.open_cases): the only place its SQL lives. The identifiers
 * are stored as keyed digests (the same purposes as triage.persons): found exactly, never readable.
 * The allocated worker's name is sealed (docs/architecture.md, "Encryption at rest").
 */
const nhs = (v: string | undefined) => (v ? dataKeys().lookup('nhs', v) : null);
const upn = (v: string | undefined) => (v ? dataKeys().lookup('upn', v.toUpperCase()) : null);
const police = (v: string | undefined) => (v ? dataKeys().lookup('police', v) : null);

export interface OpenCaseRow {
  openCaseId: string;
  nhsNumber?: string;
  upn?: string;
  policePersonId?: string;
  allocatedWorker: string;
  team?: string;
}

/** Replaces every open case loaded from `source` with `list`. */
export async function replaceOpenCases(m: EntityManager, source: string, list: OpenCaseRow[]): Promise<void> {
  await m.query(`DELETE FROM triage.open_cases WHERE source = $1`, [source]);
  for (const c of list) {
    await m.query(
      `INSERT INTO triage.open_cases (open_case_id, nhs_number, upn, police_person_id, allocated_worker, team, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (open_case_id) DO UPDATE SET nhs_number = EXCLUDED.nhs_number, upn = EXCLUDED.upn, police_person_id = EXCLUDED.police_person_id,
         allocated_worker = EXCLUDED.allocated_worker, team = EXCLUDED.team, source = EXCLUDED.source, loaded_at = now()`,
      [c.openCaseId, nhs(c.nhsNumber), upn(c.upn), police(c.policePersonId), dataKeys().seal(c.allocatedWorker), c.team ?? null, source],
    );
  }
}

/** The first open case (by id) of anyone holding one of these identifiers. */
export async function openCaseByIdentifiers(
  m: EntityManager,
  ids: { nhsNumbers: string[]; upns: string[]; policePersonIds: string[] },
): Promise<{ openCaseId: string; allocatedWorker: string; team?: string } | undefined> {
  const [row]: { open_case_id: string; allocated_worker: string; team: string | null }[] = await m.query(
    `SELECT open_case_id, allocated_worker, team FROM triage.open_cases
      WHERE nhs_number = ANY($1::text[]) OR upn = ANY($2::text[]) OR police_person_id = ANY($3::text[]) ORDER BY open_case_id LIMIT 1`,
    [ids.nhsNumbers.map(nhs), ids.upns.map(upn), ids.policePersonIds.map(police)],
  );
  return row
    ? {
        openCaseId: row.open_case_id,
        allocatedWorker: isSealed(row.allocated_worker) ? dataKeys().open(row.allocated_worker) : row.allocated_worker,
        team: row.team ?? undefined,
      }
    : undefined;
}
