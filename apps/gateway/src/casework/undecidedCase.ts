import { DataSource, EntityManager } from 'typeorm';
import { FieldError } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { disclosuresLast } from '@mash/platform';
import { reject } from '../intake/rejection';
import { QuarantineService } from '../quarantine/quarantine.service';
import { CasesRepository, LockedCase } from './cases.repository';

/** Why a manager's record about a case was refused: the HTTP status, the reason, field errors. */
export interface CaseRefusal {
  status: number;
  error: string;
  errors?: FieldError[];
}

/**
 * What a decision and a consent override share: `write` runs on the case under its row lock, in
 * one transaction with what it writes (its outbox message among them), only when the case exists
 * and has no decision yet. A refusal, from those checks or from `write`, is quarantined with the
 * body like any refused input; otherwise the outbox is nudged to relay at once.
 */
export async function writeOnUndecidedCase(
  deps: { ds: DataSource; cases: CasesRepository; outbox: Outbox; quarantine: QuarantineService },
  req: { caseId: string; sender: string; channel: string; body: unknown },
  write: (m: EntityManager, c: LockedCase) => Promise<CaseRefusal | undefined>,
): Promise<void> {
  const { caseId } = req;
  // The write's disclosures go last: the audit chain it takes is then held for the commit alone,
  // and free sooner for the gateway's other audited writes.
  const refused = await deps.ds.transaction((m) =>
    disclosuresLast(m, async (): Promise<CaseRefusal | undefined> => {
      const c = await deps.cases.lock(m, caseId);
      if (!c) return { status: 404, error: `no case '${caseId}'` };
      if (c.decisionId) return { status: 409, error: `case ${caseId} already has decision ${c.decisionId}` };
      return write(m, c);
    }),
  );
  if (refused) {
    return reject(deps.quarantine, {
      sender: req.sender,
      channel: req.channel,
      status: refused.status,
      reason: refused.error,
      errors: refused.errors,
      raw: req.body,
    });
  }
  deps.outbox.nudge();
}
