export { acknowledgementNotice, outcomeNotice, closingNotice } from './compose';
export type { AcknowledgementOptions, NoticeContact, TeamContact } from './compose';
export { noticeIdFor } from './noticeId';
export { audienceOf, isOrganisationRecipient, referrerRecipient } from './referrer';
export type { Audience, Referrer } from './referrer';
export { OUTCOME_LABEL, OUTCOME_MEANING, OUTCOME_ORDER, orderedOutcomes } from './outcomeText';
export { londonDateTime, londonDay, londonClock } from './londonTime';
