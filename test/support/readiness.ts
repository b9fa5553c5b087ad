import { TestHub } from './hub';
import { caseStuckReport, explained } from './stuckReport';
import { poll } from './topics';

/** A contact's status as the gateway shows its referrer: the fields a spec waits on and checks. */
export interface ReferrerStatus {
  stage: string;
  caseId: string;
  rating: string;
  deadline: string;
  readyAt?: string;
  history: { stage: string }[];
}

/**
 * Reads the contact's status as its referrer would (with `token`) until its case is ready for
 * decision, and re-rated at the end of checks when `reRated`. When it does not come in time, the
 * error says where the case stopped (caseStuckReport): CI keeps only a failure's first lines.
 */
export async function untilReadyForDecision(
  hub: TestHub,
  token: string,
  contactId: string,
  opts: { reRated?: boolean; timeoutMs?: number } = {},
): Promise<ReferrerStatus> {
  const what = opts.reRated ? 'case ready for decision and re-rated' : 'case ready for decision';
  return explained(
    poll(
      async () => {
        const res = await fetch(`${hub.gatewayUrl}/v1/contacts/${contactId}`, { headers: { authorization: `Bearer ${token}` } });
        const s = (await res.json()) as ReferrerStatus;
        const done = s.readyAt && s.caseId && (!opts.reRated || s.history.some((h) => h.stage === 're-rated'));
        return done ? s : undefined;
      },
      opts.timeoutMs ?? 120000,
      what,
    ),
    () => caseStuckReport(hub.env, hub.runId, contactId),
  );
}
