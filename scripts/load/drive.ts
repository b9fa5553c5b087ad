import { Agent, request } from 'node:http';
import type { SubmittingAgency } from '@mash/contracts';
import type { GeneratedContact } from './generate';

/**
 * Posting contacts to a gateway's front door and reading their journeys back: what `npm run load`
 * and the fault suite share. Plain HTTP with keep-alive, nothing else.
 */

export interface Accepted {
  index: number;
  contactId: string;
  acceptedAt: number;
  status: number;
}

export interface PostOptions {
  gateway: string;
  tokens: Record<SubmittingAgency, string>;
  concurrency: number;
  /** Contacts per second; undefined posts as fast as the concurrency allows (a burst). */
  rate?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PostResult {
  accepted: Accepted[];
  /** Status codes other than 200/202 that were retried (429) or given up on. */
  retried429: number;
  failed: { index: number; status: number; body: string }[];
  seconds: number;
}

export function httpJson(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  token: string,
  body?: unknown,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      },
    );
    // A gateway killed mid-request: status -1, the caller retries.
    req.on('error', (err) => resolve({ status: -1, body: err.message, headers: {} }));
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Posts every contact once accepted: 429 and a gateway that is down are retried (the same agency
 * reference again is the same contact, so a retry after a lost answer never makes a second one).
 */
export async function postContacts(list: readonly GeneratedContact[], opts: PostOptions): Promise<PostResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const accepted: Accepted[] = [];
  const failed: PostResult['failed'] = [];
  let retried429 = 0;
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= list.length) return;
      const g = list[i];
      if (opts.rate) {
        const due = t0 + (i / opts.rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      for (let attempt = 1; ; attempt++) {
        const res = await httpJson(agent, `${opts.gateway}/v1/agencies/${g.agency}/contacts`, 'POST', opts.tokens[g.agency], g.contact);
        if (res.status === 202 || res.status === 200) {
          accepted.push({
            index: i,
            contactId: (JSON.parse(res.body) as { contactId: string }).contactId,
            acceptedAt: Date.now(),
            status: res.status,
          });
          break;
        }
        if (res.status === 429) retried429++;
        const transient = res.status === 429 || res.status === -1 || res.status >= 500;
        if (!transient || attempt >= 600) {
          failed.push({ index: i, status: res.status, body: res.body.slice(0, 500) });
          break;
        }
        await sleep(res.status === 429 ? 1000 : 250);
      }
      opts.onProgress?.(++done, list.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  accepted.sort((a, b) => a.index - b.index);
  return { accepted, retried429, failed, seconds: (Date.now() - t0) / 1000 };
}

/** A progress bar on a terminal, or a line every tenth on a log. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  const t0 = Date.now();
  let lastTenth = -1;
  return (done, total) => {
    const rate = done / Math.max(0.001, (Date.now() - t0) / 1000);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s${done === total ? '\n' : ''}`,
      );
    } else {
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`${label} ${done}/${total} (${rate.toFixed(0)}/s)\n`);
      }
    }
  };
}

export interface ContactStatus {
  contactId: string;
  receivedAt: string;
  stage: string;
  caseId: string | null;
  readyAt: string | null;
  decidedAt: string | null;
  missingAgencies: string[] | null;
  history: { at: string; stage: string }[];
}

/** Reads every contact's journey from `GET /v1/contacts/{id}` with the sending agency's token. */
export async function readStatuses(
  gateway: string,
  items: { contactId: string; agency: SubmittingAgency }[],
  tokens: Record<SubmittingAgency, string>,
  concurrency = 8,
): Promise<Map<string, ContactStatus>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const out = new Map<string, ContactStatus>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const res = await httpJson(agent, `${gateway}/v1/contacts/${items[i].contactId}`, 'GET', tokens[items[i].agency]);
      if (res.status === 200) out.set(items[i].contactId, JSON.parse(res.body) as ContactStatus);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return out;
}

export const percentile = (values: number[], p: number): number => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** Milliseconds from receipt to the first time the contact reached `stage`, if it did. */
export function stageDelay(s: ContactStatus, stages: readonly string[]): number | undefined {
  const hit = s.history.find((h) => stages.includes(h.stage));
  return hit ? Date.parse(hit.at) - Date.parse(s.receivedAt) : undefined;
}

/**
 * The same event applied twice shows as the same stage at the same instant twice in a contact's
 * history (events carry their own time): a duplicated effect, whatever caused it.
 */
export function repeatedHistory(s: ContactStatus): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const h of s.history) {
    const k = `${h.stage}@${h.at}`;
    if (seen.has(k)) repeated.push(k);
    seen.add(k);
  }
  return repeated;
}
