import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { LegalHold } from '@mash/contracts';
import { applyLegalHold } from '@mash/platform';

/** The gateway's legal holds: the table its own retention run checks (docs/retention.md). */
@Injectable()
export class LegalHoldsRepository {
  /**
   * Serialises hold writers with each other and waits out a retention batch in progress (which
   * holds SHARE): taken before the case row, in the order retention takes them, so the two never
   * wait on each other. A hold's time is read after this, so holds are stamped in the order applied.
   */
  async lockForWrite(m: EntityManager): Promise<void> {
    await m.query(`LOCK TABLE gateway.legal_holds IN SHARE ROW EXCLUSIVE MODE`);
  }

  /** Records the hold (audited in the gateway's chain); the caller holds lockForWrite. */
  async record(m: EntityManager, hold: LegalHold): Promise<void> {
    await applyLegalHold(m, 'gateway', hold);
  }
}
