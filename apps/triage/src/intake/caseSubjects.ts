import type { EntityManager } from 'typeorm';
import type { CheckSubject } from '@mash/contracts';
import { caseContactSubjects } from '../contacts/contacts.repository';
import type { LinkedSubject } from '../people/people';
import { checkSubjects } from './subjects';

/** Every person on a case, across the contacts that joined it, once each (for a revised plan's requests). */
export async function caseSubjects(m: EntityManager, caseId: string): Promise<CheckSubject[]> {
  const rows = await caseContactSubjects(m, caseId);
  const out = new Map<string, CheckSubject>();
  const byContact = new Map<string, typeof rows>();
  for (const r of rows) byContact.set(r.contact_id, [...(byContact.get(r.contact_id) ?? []), r]);
  for (const list of byContact.values()) {
    const body = list[0].body;
    const linked: LinkedSubject[] = list.flatMap((r) => {
      const subject = body.contact.subjects.find((s) => s.subjectRef === r.subject_ref);
      return subject ? [{ subject, personId: r.person_id, matchedBy: 'score' as const, reasons: [] }] : [];
    });
    for (const s of checkSubjects(body.contact, linked)) if (!out.has(s.subjectId)) out.set(s.subjectId, s);
  }
  return [...out.values()];
}
