import type { SealedColumn } from '@mash/at-rest';

/**
 * The gateway's sealed columns (docs/architecture.md, "Encryption at rest"): contacts as received,
 * the chronology of replies, decisions, quarantined raw input, and the columns below that can hold
 * case content, a caller's free text or a credential.
 */
export const GATEWAY_SEALED_FIRST: SealedColumn[] = [
  { schema: 'gateway', table: 'contacts', column: 'body', key: ['contact_id'], json: true },
  { schema: 'gateway', table: 'cases', column: 'chronology', key: ['case_id'], json: true },
  { schema: 'gateway', table: 'decisions', column: 'body', key: ['decision_id'], json: true },
  { schema: 'gateway', table: 'quarantine', column: 'raw', key: ['id'] },
];

/** Sealed since migration 1700000001920 (some of these tables came after the first at-rest migration). */
export const GATEWAY_SEALED_MORE: SealedColumn[] = [
  // The rating's reasons can quote the case; the rating, rules and times stay plain (indicators query them).
  { schema: 'gateway', table: 'cases', column: 'rating_start', key: ['case_id'], path: 'reasons' },
  { schema: 'gateway', table: 'cases', column: 'rating_end', key: ['case_id'], path: 'reasons' },
  // Path ids a refused caller sent (free text of the caller's choosing).
  { schema: 'gateway', table: 'access_refusals', column: 'params', key: ['id'], json: true },
  // A workspace session's bearer token, and a neighbour's refusal or error text for a transfer.
  { schema: 'gateway', table: 'workspace_sessions', column: 'access_token', key: ['id_hash'] },
  { schema: 'gateway', table: 'transfers', column: 'last_error', key: ['transfer_id'] },
];

export const GATEWAY_SEALED: SealedColumn[] = [...GATEWAY_SEALED_FIRST, ...GATEWAY_SEALED_MORE];
