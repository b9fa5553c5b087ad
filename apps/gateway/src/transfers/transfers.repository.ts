import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { dataKeys, isSealed, openJsonb } from '@mash/at-rest';
import type { Contact, DecisionRecorded } from '@mash/contracts';
import type { TransferReceipt } from './transferEnvelope';

/** A neighbour's refusal or a network error can quote what was sent: sealed (GATEWAY_SEALED). */
const sealError = (error: string) => dataKeys().seal(error.slice(0, 1000));

export interface DueTransfer {
  transferId: string;
  caseId: string;
  contactId: string;
  decisionId: string;
  toHub: string;
  attempts: number;
}

export interface TransferState {
  transferId: string;
  toHub: string;
  status: 'pending' | 'acknowledged' | 'refused';
  attempts: number;
  lastError: string | null;
  acknowledgedAt: string | null;
  receipt: TransferReceipt | null;
}

/** The gateway's transfers to neighbouring MASHs: rows in, domain values out. */
@Injectable()
export class TransfersRepository {
  async add(
    m: EntityManager,
    t: { transferId: string; caseId: string; contactId: string; decisionId: string; toHub: string },
  ): Promise<void> {
    await m.query(`INSERT INTO gateway.transfers (transfer_id, case_id, contact_id, decision_id, to_hub) VALUES ($1, $2, $3, $4, $5)`, [
      t.transferId,
      t.caseId,
      t.contactId,
      t.decisionId,
      t.toHub,
    ]);
  }

  /** The next transfer due, locked for this attempt; another gateway replica skips it. */
  async claimDue(m: EntityManager): Promise<DueTransfer | undefined> {
    const [r] = await m.query(
      `SELECT transfer_id, case_id, contact_id, decision_id, to_hub, attempts FROM gateway.transfers
       WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return r
      ? {
          transferId: r.transfer_id,
          caseId: r.case_id,
          contactId: r.contact_id,
          decisionId: r.decision_id,
          toHub: r.to_hub,
          attempts: r.attempts,
        }
      : undefined;
  }

  async contactAndDecision(
    m: EntityManager,
    contactId: string,
    decisionId: string,
  ): Promise<{ contact: Contact; decidedAt: string } | undefined> {
    // Both bodies are sealed at rest (sealedColumns.ts): SQL reads them whole and they are opened here.
    const [r] = await m.query(
      `SELECT c.body AS contact, d.body AS decision FROM gateway.contacts c, gateway.decisions d WHERE c.contact_id = $1 AND d.decision_id = $2`,
      [contactId, decisionId],
    );
    return r ? { contact: openJsonb<Contact>(r.contact), decidedAt: openJsonb<DecisionRecorded>(r.decision).decidedAt } : undefined;
  }

  async acknowledged(m: EntityManager, transferId: string, receipt: TransferReceipt & { jws: string }): Promise<void> {
    await m.query(
      `UPDATE gateway.transfers SET status = 'acknowledged', attempts = attempts + 1, acknowledged_at = now(), receipt = $2, last_error = NULL WHERE transfer_id = $1`,
      [transferId, JSON.stringify(receipt)],
    );
  }

  async retryLater(m: EntityManager, transferId: string, error: string, at: Date): Promise<void> {
    await m.query(`UPDATE gateway.transfers SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE transfer_id = $1`, [
      transferId,
      sealError(error),
      at,
    ]);
  }

  async refused(m: EntityManager, transferId: string, error: string): Promise<void> {
    await m.query(`UPDATE gateway.transfers SET status = 'refused', attempts = attempts + 1, last_error = $2 WHERE transfer_id = $1`, [
      transferId,
      sealError(error),
    ]);
  }

  async ofCase(m: Pick<EntityManager, 'query'>, caseId: string): Promise<TransferState[]> {
    const rows = await m.query(
      `SELECT transfer_id, to_hub, status, attempts, last_error, acknowledged_at, receipt FROM gateway.transfers WHERE case_id = $1 ORDER BY created_at`,
      [caseId],
    );
    return rows.map((r: Record<string, never>) => ({
      transferId: r.transfer_id,
      toHub: r.to_hub,
      status: r.status,
      attempts: r.attempts,
      lastError: isSealed(r.last_error) ? dataKeys().open(r.last_error) : r.last_error,
      acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
      receipt: r.receipt ? (({ jws: _jws, ...rest }: TransferReceipt & { jws?: string }) => rest)(r.receipt) : null,
    }));
  }
}
