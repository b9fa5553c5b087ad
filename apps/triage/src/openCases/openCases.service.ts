import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import type { Contact } from '@mash/contracts';
import { log } from '@mash/messaging';
import demo from './open-cases.demo.json';
import { OpenCaseRow, openCaseByIdentifiers, replaceOpenCases } from './openCases.repository';

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
    const list: OpenCaseRow[] = (path ? JSON.parse(readFileSync(path, 'utf8')) : demo).openCases;
    const source = path ? 'file' : 'demo';
    for (const [i, c] of list.entries()) {
      if (!c.openCaseId || !c.allocatedWorker || !(c.nhsNumber || c.upn || c.policePersonId)) {
        throw new Error(`open cases ${path ?? 'demo'}: /openCases/${i} needs openCaseId, allocatedWorker and an identifier`);
      }
    }
    await this.ds.transaction((m) => replaceOpenCases(m, source, list));
    log('info', 'open cases loaded', { source, count: list.length });
  }

  /** The first child of the contact with an open case, by strong identifier. */
  async find(m: EntityManager, contact: Contact): Promise<AllocatedWorker | undefined> {
    const children = contact.subjects.filter((s) => s.kind !== 'adult');
    const ids = (k: 'nhsNumber' | 'upn' | 'policePersonId') => children.map((s) => s.identifiers?.[k]).filter((v): v is string => !!v);
    const row = await openCaseByIdentifiers(m, { nhsNumbers: ids('nhsNumber'), upns: ids('upn'), policePersonIds: ids('policePersonId') });
    if (!row) return undefined;
    return { openCaseId: row.openCaseId, worker: (row.team ? `${row.allocatedWorker} (${row.team})` : row.allocatedWorker).slice(0, 200) };
  }
}
