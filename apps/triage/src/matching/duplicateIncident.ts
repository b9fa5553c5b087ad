import type { ContactReceived } from '@mash/contracts';
import { normalisePostcode, scorePair, subjectForMatching } from './personIndex';

export interface DuplicateIncident {
  duplicateOf: string;
  reasons: string[];
}

export interface DuplicateOptions {
  /** How far apart two reports of one incident may be (incident time, else time received). */
  windowHours?: number;
  /** Score at which two subjects are taken as the same person. */
  subjectThreshold?: number;
}

const HOUR_MS = 3_600_000;

function when(c: ContactReceived): number {
  return Date.parse(c.contact.incident?.occurredAt ?? c.receivedAt);
}

/** House numbers matter here (1 and 3 Example Street are neighbours), so digits are kept. */
function normaliseAddressLine(line: string): string {
  return line
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function addressKey(c: ContactReceived): string | undefined {
  const a = c.contact.household?.address;
  // A postcode alone covers a dozen or so homes: the first line must agree as well.
  if (!a?.lines?.length) return undefined;
  return `${normalisePostcode(a.postcode)}|${normaliseAddressLine(a.lines[0])}`;
}

/**
 * The earlier contact, if any, that reports the same incident as `contact`: the same incident
 * reference, or another agency's report within the time window, under a shared presenting issue,
 * about the same people or the same address. The same agency reporting again is a repeat, not a duplicate, unless the incident
 * reference is the same.
 */
export function findDuplicateIncident(
  contact: ContactReceived,
  recent: readonly ContactReceived[],
  options: DuplicateOptions = {},
): DuplicateIncident | undefined {
  const windowMs = (options.windowHours ?? 12) * HOUR_MS;
  const threshold = options.subjectThreshold ?? 0.8;
  const ref = contact.contact.incident?.reference;
  const t = when(contact);
  const address = addressKey(contact);
  const postcode = contact.contact.household?.address?.postcode;
  const subjects = contact.contact.subjects.map((s) => ({ s, m: subjectForMatching(s, postcode) }));
  const issues = new Set(contact.contact.presentingIssues.map((i) => i.code));

  const found: { c: ContactReceived; reasons: string[] }[] = [];
  for (const other of recent) {
    if (other.contactId === contact.contactId) continue;
    const reasons: string[] = [];
    if (ref && other.contact.incident?.reference === ref) {
      found.push({ c: other, reasons: [`same incident reference ${ref}`] });
      continue;
    }
    if (other.sourceAgency === contact.sourceAgency) continue;
    const gap = Math.abs(when(other) - t);
    if (!(gap <= windowMs)) continue;
    // A school's neglect concern and a police domestic abuse call about the same child on the same
    // day are two concerns: one incident is reported under at least one shared presenting issue.
    const shared = other.contact.presentingIssues.filter((i) => issues.has(i.code)).map((i) => i.code);
    if (!shared.length) continue;
    reasons.push(`reported by ${other.sourceAgency} and ${contact.sourceAgency} ${Math.round(gap / 60_000)} minutes apart`);

    const otherPostcode = other.contact.household?.address?.postcode;
    reasons.push(`same presenting issue ${shared.join(', ')}`);
    const people: string[] = [];
    for (const { s, m } of subjects) {
      for (const o of other.contact.subjects) {
        const r = scorePair(m, subjectForMatching(o, otherPostcode));
        if (r.score >= threshold) {
          people.push(`${s.subjectRef} is ${o.subjectRef} (${r.reasons.join(', ')})`);
          break;
        }
      }
    }
    if (people.length) reasons.push(`same people: ${people.join('; ')}`);
    const sameAddress = address !== undefined && address === addressKey(other);
    if (sameAddress) reasons.push('same address');
    if (people.length || sameAddress) found.push({ c: other, reasons });
  }
  if (!found.length) return undefined;
  // Link to the first report, so every later duplicate points at the same original.
  found.sort((a, b) => Date.parse(a.c.receivedAt) - Date.parse(b.c.receivedAt));
  return { duplicateOf: found[0].c.contactId, reasons: found[0].reasons };
}
