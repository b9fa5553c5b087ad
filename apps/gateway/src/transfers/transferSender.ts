import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { dataKeys } from '@mash/at-rest';
import { log } from '@mash/messaging';
import { DisclosureAudit } from '../audit/disclosureAudit';
import { HubKeys } from './hubKeys';
import {
  RECEIPT_TYP,
  signEnvelope,
  SignatureRefused,
  TRANSFER_TYP,
  TransferPayload,
  TransferReceipt,
  verifyEnvelope,
} from './transferEnvelope';
import { DueTransfer, TransfersRepository } from './transfers.repository';

const POLL_MS = Number(process.env.MASH_TRANSFER_POLL_MS ?? 2000);
const TIMEOUT_MS = Number(process.env.MASH_TRANSFER_TIMEOUT_MS ?? 10_000);
const MAX_BACKOFF_MS = 5 * 60_000;

type Outcome = { kind: 'acknowledged'; receipt: TransferReceipt; jws: string } | { kind: 'refused' | 'retry'; reason: string };

/**
 * Hands decided transfers to the neighbouring MASH (docs/hub-to-hub.md). Each attempt runs in one
 * transaction holding the transfer's row: sign, post, verify the neighbour's signed receipt,
 * record it and its audit. A crash before the receipt is recorded sends again; the neighbour
 * answers the same transfer id with the same contact, so nothing is received twice.
 */
@Injectable()
export class TransferSender implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly keys: HubKeys,
    private readonly repo: TransfersRepository,
    private readonly audit: DisclosureAudit,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(POLL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** A transfer was just decided: try now rather than at the next poll. */
  nudge(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
        this.schedule(POLL_MS);
      });
    }, ms);
  }

  /** Sends every transfer that is due; returns when none is. */
  async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.ds.transaction((m) => this.attemptOne(m)))) {
        /* next */
      }
    } catch (err) {
      log('error', 'transfer sender failed', { error: (err as Error).message });
    }
  }

  private async attemptOne(m: EntityManager): Promise<boolean> {
    const t = await this.repo.claimDue(m);
    if (!t) return false;
    const outcome = await this.send(m, t);
    const detail = { transferId: t.transferId, toHub: t.toHub, decisionId: t.decisionId, attempt: t.attempts + 1 };
    if (outcome.kind === 'acknowledged') {
      await this.repo.acknowledged(m, t.transferId, { ...outcome.receipt, jws: outcome.jws });
      await this.audit.record(
        {
          principal: `hub:${t.toHub}`,
          action: 'transfer-acknowledged',
          caseId: t.caseId,
          contactId: t.contactId,
          detail: { ...detail, theirContactId: outcome.receipt.contactId, status: outcome.receipt.status },
        },
        m,
      );
      log('info', 'transfer acknowledged', { transferId: t.transferId, toHub: t.toHub, caseId: t.caseId });
    } else if (outcome.kind === 'refused') {
      await this.repo.refused(m, t.transferId, outcome.reason);
      // The neighbour's text can quote what was sent: sealed before the audit row is hashed (the chain covers it as stored).
      await this.audit.record(
        {
          principal: `hub:${t.toHub}`,
          action: 'transfer-refused',
          caseId: t.caseId,
          contactId: t.contactId,
          detail: { ...detail, reason: dataKeys().seal(outcome.reason.slice(0, 300)) },
        },
        m,
      );
      log('warn', 'transfer refused by the neighbour', { transferId: t.transferId, toHub: t.toHub, reason: outcome.reason.slice(0, 300) });
    } else {
      const wait = Math.min(1000 * 2 ** t.attempts, MAX_BACKOFF_MS);
      await this.repo.retryLater(m, t.transferId, outcome.reason, new Date(Date.now() + wait));
      log('warn', 'transfer not yet acknowledged; will retry', {
        transferId: t.transferId,
        toHub: t.toHub,
        attempt: t.attempts + 1,
        retryInMs: wait,
        reason: outcome.reason.slice(0, 300),
      });
    }
    return true;
  }

  private async send(m: EntityManager, t: DueTransfer): Promise<Outcome> {
    const area = this.keys.area;
    const key = await this.keys.signingKey();
    const n = this.keys.neighbour(t.toHub);
    if (!area || !key)
      return { kind: 'retry', reason: 'this hub has no area or no signing key (MASH_HUB_SIGNING_KEY): nothing can be signed' };
    if (!n.ok) return { kind: 'refused', reason: n.reason };
    const found = await this.repo.contactAndDecision(m, t.contactId, t.decisionId);
    if (!found) return { kind: 'refused', reason: `contact ${t.contactId} or decision ${t.decisionId} is no longer held` };
    const payload: TransferPayload = {
      transferId: t.transferId,
      fromHub: { id: area.hubId, name: area.name, localAuthorityCode: area.localAuthorityCode },
      toHub: t.toHub,
      sentAt: new Date().toISOString(),
      caseId: t.caseId,
      decisionId: t.decisionId,
      decidedAt: found.decidedAt,
      contact: found.contact,
    };
    const jws = await signEnvelope(payload, key, area.hubId, TRANSFER_TYP);
    // Content leaves the hub here: audited per attempt, in the transaction that records the outcome.
    await this.audit.record(
      {
        principal: `hub:${t.toHub}`,
        action: 'transfer-sent',
        caseId: t.caseId,
        contactId: t.contactId,
        detail: { transferId: t.transferId, toHub: t.toHub, attempt: t.attempts + 1 },
      },
      m,
    );
    let res: Response;
    try {
      res = await fetch(
        new URL(
          `v1/hubs/${encodeURIComponent(area.hubId)}/transfers`,
          n.hub.endpoint.endsWith('/') ? n.hub.endpoint : `${n.hub.endpoint}/`,
        ),
        {
          method: 'POST',
          headers: { 'content-type': 'application/jose', accept: 'application/json, application/problem+json' },
          body: jws,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        },
      );
    } catch (err) {
      return { kind: 'retry', reason: `no answer from ${n.hub.name}: ${(err as Error).name}` };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      return { kind: 'refused', reason: `${res.status}: ${problemDetail(text)}` };
    }
    if (res.status !== 200 && res.status !== 202) return { kind: 'retry', reason: `${res.status}: ${problemDetail(text)}` };
    let receiptJws: string;
    try {
      receiptJws = String(JSON.parse(text).receipt ?? '');
    } catch {
      return { kind: 'retry', reason: 'the answer carried no receipt' };
    }
    try {
      const receipt = await verifyEnvelope<TransferReceipt>(receiptJws, n.hub.publicKeyJwk, RECEIPT_TYP);
      if (receipt.transferId !== t.transferId || receipt.hub !== t.toHub)
        return { kind: 'retry', reason: 'the receipt is for another transfer or from another hub' };
      return { kind: 'acknowledged', receipt, jws: receiptJws };
    } catch (err) {
      if (err instanceof SignatureRefused) return { kind: 'retry', reason: `receipt refused: ${err.message}` };
      throw err;
    }
  }
}

function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text);
    return String(p.detail ?? p.title ?? '').slice(0, 500);
  } catch {
    return text.slice(0, 200);
  }
}
