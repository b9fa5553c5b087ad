import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { log } from '@mash/messaging';
import { recordDisclosure } from '@mash/platform';
import { AccessRefusalsRepository } from './accessRefusals.repository';

export interface Refusal {
  /** The principal, when the credential named one (including a revoked one); else undefined. */
  principal?: string;
  role?: string;
  credential: 'none' | 'unknown' | 'revoked' | 'valid';
  method: string;
  route: string;
  params: Record<string, string>;
  status: number;
  reason: string;
}

/**
 * Refused access is kept like granted access is (gateway.disclosure_audit): who tried, what route
 * and resource, when, and why it was refused. The ids in the path are kept, never the body or the
 * token: a refused caller must not be able to make the hub store what it sent outside the quarantine.
 * The ids are the caller's free text (a name typed into a path would be kept): sealed (GATEWAY_SEALED).
 */
@Injectable()
export class AccessAudit {
  constructor(
    private readonly ds: DataSource,
    private readonly refusals: AccessRefusalsRepository,
  ) {}

  async refused(r: Refusal): Promise<void> {
    const params = Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k.slice(0, 40), String(v).slice(0, 100)]));
    await this.refusals.record(r, params);
    // The same refusal in the tamper-evident trail an auditor verifies and exports.
    await recordDisclosure(this.ds, 'gateway', {
      principal: r.principal ?? `unauthenticated (${r.credential} credential)`,
      action: 'access-refused',
      caseId: params.id?.startsWith('CS-') ? params.id : (params.caseId ?? null),
      detail: { method: r.method, route: r.route.slice(0, 200), status: r.status, reason: r.reason, role: r.role ?? null },
    });
    log('info', 'access refused', { principal: r.principal, credential: r.credential, route: `${r.method} ${r.route}`, status: r.status });
  }
}
