import { legalHoldsMigration } from '@mash/platform';

/** Legal holds as checks knows them, checked by its retention run (docs/retention.md). */
export const ChecksLegalHolds1700000001302 = legalHoldsMigration('checks', 1700000001302);
