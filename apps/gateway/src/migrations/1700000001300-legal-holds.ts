import { legalHoldsMigration } from '@mash/platform';

/** Legal holds as gateway knows them, checked by its retention run (docs/retention.md). */
export const GatewayLegalHolds1700000001300 = legalHoldsMigration('gateway', 1700000001300);
