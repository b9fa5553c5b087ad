import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DisclosureAudit } from '../audit/disclosureAudit';
import type { Principal } from '../credentials/credentials.service';
import { CasePicture, StatusRepository } from './status.repository';

/**
 * Reading a case's full picture is a disclosure of case content: the read and its audit row are one
 * transaction, whether the API or the workspace's case page asked (`via` says which).
 */
@Injectable()
export class CaseReads {
  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusRepository,
    private readonly audit: DisclosureAudit,
  ) {}

  async read(caseId: string, p: Principal, via: 'api' | 'workspace' = 'api'): Promise<CasePicture | undefined> {
    return this.ds.transaction(async (m) => {
      const picture = await this.status.casePicture(caseId, m);
      if (!picture) return undefined;
      const detail: Record<string, unknown> = { chronologyEntries: picture.chronology.length };
      if (via !== 'api') detail.via = via;
      await this.audit.record({ principal: p.principal, action: 'read-case', caseId, contactId: picture.contactId, detail }, m);
      return picture;
    });
  }
}
