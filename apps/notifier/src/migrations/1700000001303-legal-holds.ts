import { legalHoldsMigration } from '@mash/platform';

/** Legal holds as notifier knows them, checked by its retention run (docs/retention.md). */
export const NotifierLegalHolds1700000001303 = legalHoldsMigration('notifier', 1700000001303);
