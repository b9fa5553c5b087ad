import { legalHoldsMigration } from '@mash/platform';

/** Legal holds as triage knows them, checked by its retention run (docs/retention.md). */
export const TriageLegalHolds1700000001301 = legalHoldsMigration('triage', 1700000001301);
