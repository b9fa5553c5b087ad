import type { SealedColumn } from '@mash/at-rest';

/** Checks' sealed columns (docs/architecture.md, "Encryption at rest"): what agencies replied. */
export const CHECKS_SEALED: SealedColumn[] = [{ schema: 'checks', table: 'replies', column: 'body', key: ['request_id'], json: true }];
