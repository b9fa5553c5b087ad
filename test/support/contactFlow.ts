import type { Contact } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { TEST_TOKENS } from './hub';

/**
 * Contacts driven through the real front door to their end state, the way a client of the hub
 * would: each submission goes to one of the gateways that are up, and one that fails (a gateway
 * killed mid-request) is sent again to another with the same agency reference, which the hub
 * folds into the same contact.
 */

const LETTERS = 'ABCDEFGHJKLMNPRSTUWXYZ';
const word = (n: number, len: number) => {
  let s = '';
  for (let i = 0; i < len; i++, n = Math.floor(n / LETTERS.length)) s += LETTERS[n % LETTERS.length];
  return s;
};

/**
 * A police domestic-abuse contact about a family nobody else in the run shares: its own names,
 * dates of birth, address, postcode and incident, no strong identifiers, so matching and duplicate
 * detection see unrelated families and every contact must become a case of its own.
 */
export function familyContact(tag: string, i: number): Contact {
  const family = `Str${word(i, 3).toLowerCase()}${word(i * 7 + 3, 2).toLowerCase()}`;
  const day = (d: number) => new Date(Date.UTC(2016, 0, 1) + d * 86400_000).toISOString().slice(0, 10);
  const [child, victim, other] = exampleContact.subjects;
  return {
    ...exampleContact,
    agencyReference: `PVP-${tag}-${i}`,
    subjects: [
      { ...child!, givenName: `Ch${word(i, 3).toLowerCase()}`, familyName: family, dateOfBirth: day(i % 3000), identifiers: undefined },
      {
        ...victim!,
        givenName: `Vi${word(i, 3).toLowerCase()}`,
        familyName: family,
        dateOfBirth: new Date(Date.UTC(1980, 0, 1) + (i % 4000) * 86400_000).toISOString().slice(0, 10),
      },
      {
        ...other!,
        givenName: `Pe${word(i, 3).toLowerCase()}`,
        familyName: `Oth${word(i, 4).toLowerCase()}`,
        dateOfBirth: new Date(Date.UTC(1975, 0, 1) + (i % 4000) * 86400_000).toISOString().slice(0, 10),
        identifiers: undefined,
      },
    ],
    household: {
      ...exampleContact.household!,
      address: { lines: [`${i + 1} ${family} Road`], town: 'Streamton', postcode: `ST${(i % 9) + 1} ${i % 10}${word(i, 2)}` },
    },
    incident: { occurredAt: new Date(Date.now() - 3600_000).toISOString(), place: 'Home address', reference: `INC-${tag}-${i}` },
  };
}

export interface Submitted {
  index: number;
  contactId: string;
  receivedAt: string;
  /** Gateway URLs that were tried, in order (more than one when a gateway failed mid-request). */
  tried: string[];
}

const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

/**
 * Posts one contact to the first live gateway in `gateways()` order from `start`, moving on to the
 * next when the connection fails or the gateway answers 5xx; 202 (new) and 200 (same reference
 * again) both give the contact id.
 */
export async function submitWithFailover(
  gateways: () => string[],
  start: number,
  contact: Contact,
  index: number,
  timeoutMs = 120000,
): Promise<Submitted> {
  const deadline = Date.now() + timeoutMs;
  const tried: string[] = [];
  let last = '';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const list = gateways();
    const url = list[(start + attempt) % list.length]!;
    tried.push(url);
    try {
      const res = await fetch(`${url}/v1/agencies/police/contacts`, {
        method: 'POST',
        headers: headers(TEST_TOKENS.police),
        body: JSON.stringify(contact),
        signal: AbortSignal.timeout(15000),
      });
      const body = (await res.json()) as { contactId?: string; receivedAt?: string };
      if ((res.status === 202 || res.status === 200) && body.contactId)
        return { index, contactId: body.contactId, receivedAt: body.receivedAt ?? '', tried };
      last = `HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`;
      if (res.status < 500 && res.status !== 429) throw new Error(`contact ${index} refused: ${last}`);
    } catch (err) {
      if ((err as Error).message.startsWith(`contact ${index} refused`)) throw err;
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`contact ${index} not accepted by any gateway within ${timeoutMs} ms (${last})`);
}

export interface ContactStatus {
  contactId: string;
  stage: string;
  caseId?: string;
  rating?: string;
  readyAt?: string;
  decidedAt?: string;
  referrerInformedAt?: string;
  noticeStatus?: string;
  history: { stage: string; at: string }[];
}

/** The outcome notice's delivery receipt reached the contact's status (whatever its stage says). */
export const informed = (s: ContactStatus | undefined) => !!s && (s.stage === 'referrer-informed' || !!s.referrerInformedAt);

export async function contactStatus(gatewayUrl: string, contactId: string): Promise<ContactStatus | undefined> {
  const res = await fetch(`${gatewayUrl}/v1/contacts/${contactId}`, {
    headers: headers(TEST_TOKENS.police),
    signal: AbortSignal.timeout(10000),
  });
  if (res.status !== 200) return undefined;
  return (await res.json()) as ContactStatus;
}

/** Records the decision a manager would once checks are complete: 'recorded', 'already' decided, or the refusal. */
export async function decide(gatewayUrl: string, caseId: string, rating: string): Promise<'recorded' | 'already' | string> {
  const res = await fetch(`${gatewayUrl}/v1/cases/${caseId}/decision`, {
    method: 'POST',
    headers: headers(TEST_TOKENS.manager),
    signal: AbortSignal.timeout(15000),
    body: JSON.stringify({
      decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
      outcomes: ['early-help'],
      finalRating: rating,
      responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
    }),
  });
  const text = await res.text();
  if (res.status === 201) return 'recorded';
  if (res.status === 409 && /already has decision/.test(text)) return 'already';
  return `HTTP ${res.status} ${text.slice(0, 200)}`;
}

/**
 * Follows every contact until its referrer is informed (the delivery receipt is on its status):
 * once its case is ready it records the decision (exactly once per case: a 409 "already has
 * decision" after a lost answer counts as done). Returns the last status of each contact, how many
 * decisions were recorded, the contacts never informed, and those informed whose stage says
 * otherwise (a later event of the case projected over the receipt).
 */
export async function driveToInformed(
  gateways: () => string[],
  contactIds: string[],
  timeoutMs: number,
): Promise<{ statuses: Map<string, ContactStatus>; decisions: number; stuck: ContactStatus[]; stageNotInformed: ContactStatus[] }> {
  const statuses = new Map<string, ContactStatus>();
  const decided = new Set<string>();
  let decisions = 0;
  const deadline = Date.now() + timeoutMs;
  let round = 0;
  while (Date.now() < deadline) {
    const open = contactIds.filter((id) => !informed(statuses.get(id)));
    if (open.length === 0) break;
    for (const id of open) {
      const list = gateways();
      const url = list[round++ % list.length]!;
      const s = await contactStatus(url, id).catch(() => undefined);
      if (!s) continue;
      statuses.set(id, s);
      if (s.readyAt && s.caseId && !s.decidedAt && !decided.has(s.caseId)) {
        const outcome = await decide(url, s.caseId, s.rating ?? 'AMBER').catch((err: Error) => err.message);
        if (outcome === 'recorded') decisions++;
        if (outcome === 'recorded' || outcome === 'already') decided.add(s.caseId);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const stuck = contactIds
    .filter((id) => !informed(statuses.get(id)))
    .map((id) => statuses.get(id) ?? ({ contactId: id, stage: 'unknown', history: [] } as ContactStatus));
  const stageNotInformed = contactIds
    .map((id) => statuses.get(id))
    .filter((s): s is ContactStatus => informed(s) && s!.stage !== 'referrer-informed');
  return { statuses, decisions, stuck, stageNotInformed };
}
