import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseReady, CHECK_AGENCIES, CheckAgency, CheckReplied, TOPICS } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { mergeChronology } from '../chronology';
import { checksMetrics } from '../metrics';
import { CasesRepository, CheckCase } from '../cases/cases.repository';
import { assessReadiness, caseReadyMessage, isLate, Readiness, revisedCaseReadyMessage } from '../readiness';
import { PictureRepository, StoredPicture } from './picture.repository';

/** One case as readiness and the chronology see it. */
export interface CaseState {
  caseId: string;
  deadline: Date;
  revision: number;
  /** Set once the case was declared ready (see ReadinessInput.declared). */
  declared?: { readyAt: Date; reason: 'all-replied' | 'deadline-reached' };
  /** The request that counts for each agency: its latest (a revised plan asks an agency again). */
  requests: { requestId: string; agency: CheckAgency; dueAt: Date; repliedAt: Date | null }[];
  /** Every reply, to whichever request; `dueAt` is the due time of the request it answered. */
  replies: { agency: CheckAgency; receivedAt: Date; body: CheckReplied; dueAt?: Date }[];
}

const planOrder = (a: CheckAgency, b: CheckAgency) => CHECK_AGENCIES.indexOf(a) - CHECK_AGENCIES.indexOf(b);

/** These cases' states from what is stored of them. */
function statesOf(cases: readonly CheckCase[], stored: StoredPicture): CaseState[] {
  const byCase = new Map<string, CaseState>(
    cases.map((c) => [
      c.caseId,
      {
        caseId: c.caseId,
        deadline: c.deadline,
        revision: c.revision,
        ...(c.readyAt && c.readyReason ? { declared: { readyAt: c.readyAt, reason: c.readyReason } } : {}),
        requests: [],
        replies: [],
      },
    ]),
  );
  for (const r of stored.requests)
    byCase.get(r.caseId)!.requests.push({ requestId: r.requestId, agency: r.agency, dueAt: r.dueAt, repliedAt: r.repliedAt });
  for (const r of stored.replies)
    byCase.get(r.caseId)!.replies.push({ agency: r.agency, receivedAt: r.receivedAt, body: r.body, dueAt: r.dueAt });
  for (const s of byCase.values()) s.requests.sort((a, b) => planOrder(a.agency, b.agency));
  return [...byCase.values()];
}

export function readinessOf(state: CaseState, now: Date): Readiness {
  return assessReadiness({
    plan: state.requests.map((r) => ({ agency: r.agency, dueAt: r.dueAt.toISOString() })),
    caseDeadline: state.deadline,
    replies: state.requests.filter((r) => r.repliedAt).map((r) => ({ agency: r.agency, receivedAt: r.repliedAt! })),
    now,
    declared: state.declared,
  });
}

/** The merged chronology of the replies received by `upTo` (all of them when absent). */
export function chronologyOf(state: CaseState, upTo?: Date) {
  const due = new Map(state.requests.map((r) => [r.agency, r.dueAt]));
  const replies = state.replies
    .filter((r) => !upTo || r.receivedAt <= upTo)
    .map((r) => ({
      reply: r.body,
      receivedAt: r.receivedAt,
      late: isLate({ dueAt: (r.dueAt ?? due.get(r.agency) ?? state.deadline).toISOString() }, state.deadline, r.receivedAt),
    }));
  return mergeChronology(replies).entries;
}

/**
 * The full picture of a case: when it is ready for decision, the mash.case.ready.v1 that says who
 * replied, who did not and what they said; and a new revision of it whenever a reply is accepted
 * after that. Callers hold the case rows locked (FOR UPDATE) in the transaction they pass.
 */
@Injectable()
export class PictureService {
  constructor(
    private readonly outbox: Outbox,
    private readonly cases: CasesRepository = new CasesRepository(),
    private readonly pictures: PictureRepository = new PictureRepository(),
  ) {}

  /** Everything readiness needs for these cases, in one statement whatever their number. */
  async load(m: EntityManager, cases: readonly CheckCase[]): Promise<CaseState[]> {
    if (cases.length === 0) return [];
    return statesOf(
      cases,
      await this.pictures.ofCases(
        m,
        cases.map((c) => c.caseId),
      ),
    );
  }

  /**
   * Records a reply to a case the caller holds (its request replied, its chasing stopped, what it
   * said stored) and gives back the case's state with it, in one statement.
   */
  async recordReply(m: EntityManager, c: CheckCase, reply: CheckReplied, now: Date, late: boolean): Promise<CaseState> {
    const [state] = statesOf([c], await this.pictures.recordReply(m, reply, now, late));
    return state;
  }

  /**
   * Publishes revision 1 of the picture for each case that is ready at `now`, marks it ready and
   * cancels its pending timers (nobody is chased for a case already at decision). Returns the
   * messages, one per case that was ready. Callers hold the cases' rows and read them, and `now`,
   * after taking them. `loaded`: these cases' states, when the caller has just loaded them under
   * the same locks (a reply judging readiness), so they are not read twice.
   */
  async declareReady(m: EntityManager, cases: readonly CheckCase[], now: Date, loaded?: readonly CaseState[]): Promise<CaseReady[]> {
    const waiting = cases.filter((c) => c.readyAt === null);
    const states = loaded ? loaded.filter((s) => waiting.some((c) => c.caseId === s.caseId)) : await this.load(m, waiting);
    const out: CaseReady[] = [];
    for (const state of states) {
      const readiness = readinessOf(state, now);
      if (!readiness.ready) continue;
      const msg: CaseReady = { ...caseReadyMessage(state.caseId, readiness, chronologyOf(state, readiness.readyAt)), revision: 1 };
      out.push(msg);
      checksMetrics.casesReady.inc({ reason: msg.reason });
      log('info', 'case ready for decision', { caseId: state.caseId, reason: msg.reason, missing: msg.missing, late: msg.late ?? [] });
    }
    if (out.length) {
      await this.outbox.addMany(
        m,
        out.map((msg) => ({ topic: TOPICS.caseReady, key: msg.caseId, data: msg })),
      );
      // Marks them ready and cancels their pending timers in one statement.
      await this.cases.markReady(
        m,
        out.map((x) => ({ caseId: x.caseId, readyAt: new Date(x.readyAt), reason: x.reason! })),
      );
    }
    return out;
  }

  /**
   * Publishes the next revision of a ready case's picture, after a reply was accepted late.
   * `loaded`: the case's state, when the caller has it from under the same lock (recordReply).
   */
  async revise(m: EntityManager, c: CheckCase, now: Date, loaded?: CaseState): Promise<CaseReady> {
    const state = loaded ?? (await this.load(m, [c]))[0];
    const readiness = readinessOf(state, now);
    const revision = Math.max(1, c.revision) + 1;
    const msg = revisedCaseReadyMessage(state.caseId, readiness, chronologyOf(state), revision, now);
    await this.outbox.add(m, { topic: TOPICS.caseReady, key: state.caseId, data: msg });
    await this.cases.setRevision(m, state.caseId, revision);
    log('info', 'case picture revised after a late reply', {
      caseId: state.caseId,
      revision,
      missing: msg.missing,
      repliedAfterReady: msg.repliedAfterReady,
    });
    return msg;
  }
}
