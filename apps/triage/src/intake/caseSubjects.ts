import type { EntityManager } from 'typeorm';
import type { CheckSubject, ContactReceived } from '@mash/contracts';
import type { LinkedSubject } from '../people/people';
import { checkSubjects } from './subjects';

/** Every person on a case, across the contacts that joined it, once each (for a revised plan's requests). */
export async function caseSubjects(m: EntityManager, caseId: string): Promise<CheckSubject[]> {
  const rows: { contact_id: string; body: ContactReceived; subject_ref: string; person_id: string }[] = await m.query(
    `SELECT ct.contact_id, ct.body, cs.subject_ref, cs.person_id FROM triage.contacts ct JOIN triage.contact_subjects cs USING (contact_id)
      WHERE ct.case_id = $1 ORDER BY ct.received_at, ct.contact_id`,
    [caseId],
  );
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
