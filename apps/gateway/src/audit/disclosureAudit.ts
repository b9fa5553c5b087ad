import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { recordDisclosure } from '@mash/platform';

export type DisclosureAction =
  | 'read-case'
  | 'read-quarantine'
  | 'consent-override'
  | 'decision-recorded'
  | 'access-refused'
  | 'transfer-sent'
  | 'transfer-acknowledged'
  | 'transfer-refused'
  | 'transfer-received';

export interface Disclosure {
  principal: string;
  action: DisclosureAction;
  caseId?: string;
  contactId?: string;
  /** Ids and counts only, never case content. */
  detail: Record<string, unknown>;
}

/**
 * Every disclosure of case content, kept: who, what, when, in the gateway's hash-chained audit
 * (libs/platform disclosureAudit). Written in the caller's transaction when it has one, so the
 * audit row and the disclosure commit or fail together.
 */
@Injectable()
export class DisclosureAudit {
  constructor(private readonly ds: DataSource) {}

  async record(d: Disclosure, m?: EntityManager): Promise<void> {
    await recordDisclosure(m ?? this.ds, 'gateway', d);
  }
}
