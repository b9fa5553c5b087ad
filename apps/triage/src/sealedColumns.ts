import type { SealedColumn } from '@mash/at-rest';

/** Triage's sealed columns (what `npm run keys:rotate` re-seals); digests are not listed: they do not rotate. */
export const TRIAGE_SEALED_FIRST: SealedColumn[] = [
  { schema: 'triage', table: 'persons', column: 'identity', key: ['person_id'] },
  { schema: 'triage', table: 'contacts', column: 'body', key: ['contact_id'], json: true },
  // Free-text reasons, which can quote the case (a manager's rating change, a rating's note, a consent override).
  { schema: 'triage', table: 'cases', column: 'rating_change_reason', key: ['case_id'] },
  { schema: 'triage', table: 'ratings', column: 'reason', key: ['id'] },
  { schema: 'triage', table: 'consent_overrides', column: 'reason', key: ['override_id'] },
];

/** Professionals' names, sealed since migration 1700000009110 (staff are data subjects too). */
export const TRIAGE_SEALED_NAMES: SealedColumn[] = [
  { schema: 'triage', table: 'cases', column: 'allocated_worker', key: ['case_id'] },
  { schema: 'triage', table: 'cases', column: 'decided_by', key: ['case_id'] },
  { schema: 'triage', table: 'ratings', column: 'rated_by', key: ['id'] },
  { schema: 'triage', table: 'consent_overrides', column: 'recorded_by_name', key: ['override_id'] },
  { schema: 'triage', table: 'open_cases', column: 'allocated_worker', key: ['open_case_id'] },
];

export const TRIAGE_SEALED: SealedColumn[] = [...TRIAGE_SEALED_FIRST, ...TRIAGE_SEALED_NAMES];
