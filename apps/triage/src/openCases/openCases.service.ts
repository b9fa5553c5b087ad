import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import type { Contact } from '@mash/contracts';
import { log } from '@mash/messaging';
import demo from './open-cases.demo.json';

interface OpenCase {
  openCaseId: string;
  nhsNumber?: string;
  upn?: string;
  policePersonId?: string;
  allocatedWorker: string;
  team?: string;
}

/** The open case a contact's child has, if any: who the case goes to. */
export interface AllocatedWorker {
  openCaseId: string;
  worker: string;
}

/**
 * Children already open to social care, so that a new contact about them reaches the allocated
 * worker. Loaded into triage.open_cases at start-up from MASH_OPEN_CASES (a file) or the demo
 * list; ratings read the table, never the file, so every replica answers the same.
 */
@Injectable()
export class OpenCasesService implements OnApplicationBootstrap {
  constructor(private readonly ds: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = process.env.MASH_OPEN_CASES;
    const list: OpenCase[] = (path ? JSON.parse(readFileSync(path, 'utf8')) : demo).openCases;
    const source = path ? 'file' : 'demo';
    for (const [i, c] of list.entries()) {
      if (!c.openCaseId || !c.allocatedWorker || !(c.nhsNumber || c.upn || c.policePersonId)) {
        throw new Error(`open cases ${path ?? 'demo'}: /openCases/${i} needs openCaseId, allocatedWorker and an identifier`);
      }
    }
    await this.ds.transaction(async (m) => {
      await m.query(`DELETE FROM triage.open_cases WHERE source = $1`, [source]);
      for (const c of list) {
        await m.query(
          `INSERT INTO triage.open_cases (open_case_id, nhs_number, upn, police_person_id, allocated_worker, team, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (open_case_id) DO UPDATE SET nhs_number = EXCLUDED.nhs_number, upn = EXCLUDED.upn, police_person_id = EXCLUDED.police_person_id,
             allocated_worker = EXCLUDED.allocated_worker, team = EXCLUDED.team, source = EXCLUDED.source, loaded_at = now()`,
          [c.openCaseId, c.nhsNumber ?? null, c.upn?.toUpperCase() ?? null, c.policePersonId ?? null, c.allocatedWorker, c.team ?? null, source],
        );
      }
    });
    log('info', 'open cases loaded', { source, count: list.length });
  }

  /** The first child of the contact with an open case, by strong identifier. */
  async find(m: EntityManager, contact: Contact): Promise<AllocatedWorker | undefined> {
    const children = contact.subjects.filter((s) => s.kind !== 'adult');
    const ids = (k: 'nhsNumber' | 'upn' | 'policePersonId') => children.map((s) => s.identifiers?.[k]).filter((v): v is string => !!v);
    const [row]: { open_case_id: string; allocated_worker: string; team: string | null }[] = await m.query(
      `SELECT open_case_id, allocated_worker, team FROM triage.open_cases
        WHERE nhs_number = ANY($1::text[]) OR upn = ANY($2::text[]) OR police_person_id = ANY($3::text[]) ORDER BY open_case_id LIMIT 1`,
      [ids('nhsNumber'), ids('upn').map((x) => x.toUpperCase()), ids('policePersonId')],
    );
    if (!row) return undefined;
    return { openCaseId: row.open_case_id, worker: (row.team ? `${row.allocated_worker} (${row.team})` : row.allocated_worker).slice(0, 200) };
  }
}
