import type { SealedColumn } from '@mash/at-rest';

/** Notifier's sealed columns (docs/architecture.md, "Encryption at rest"): notices, decisions, referrers, digests. */
export const NOTIFIER_SEALED_FIRST: SealedColumn[] = [
  { schema: 'notifier', table: 'notices', column: 'body', key: ['notice_id'], json: true },
  { schema: 'notifier', table: 'decisions', column: 'body', key: ['decision_id'], json: true },
  { schema: 'notifier', table: 'referrers', column: 'referrer', key: ['contact_id'], json: true },
  { schema: 'notifier', table: 'digests', column: 'text', key: ['organisation', 'day'] },
];

/** Sealed since migration 1700000001910. */
export const NOTIFIER_SEALED_ADDRESSES: SealedColumn[] = [
  // A professional's email address: in the notice's channel (its kind stays plain) and on the digest.
  { schema: 'notifier', table: 'notices', column: 'channel', key: ['notice_id'], path: 'address' },
  { schema: 'notifier', table: 'digests', column: 'address', key: ['organisation', 'day'] },
];

export const NOTIFIER_SEALED: SealedColumn[] = [...NOTIFIER_SEALED_FIRST, ...NOTIFIER_SEALED_ADDRESSES];
