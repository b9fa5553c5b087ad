/**
 * The stages a contact goes through, in the order a referrer would read them. Events that move a
 * contact arrive on several topics in no fixed order (an end-of-checks re-rating may be handled
 * before the readiness that caused it, a decision before a late revision of the picture), so a
 * stage only ever moves forward: an event about an earlier step is kept in the history but never
 * takes the contact back. Notice receipts share the last step; a failed notice may still become
 * delivered after a replay, while a delivered one never turns back to failed.
 */
export const STAGE_RANK = {
  received: 0,
  rated: 1,
  'checks-in-progress': 2,
  'teams-informed': 3,
  'ready-for-decision': 4,
  're-rated': 5,
  decided: 6,
  'notice-failed': 7,
  'no-referrer-channel': 8,
  'referrer-informed': 8,
} as const;

export type Stage = keyof typeof STAGE_RANK;

export function isStage(s: string): s is Stage {
  return Object.prototype.hasOwnProperty.call(STAGE_RANK, s);
}

/** The later of two stages (the second on a tie, so a replayed notice's receipt replaces a failure). */
export function furthestStage(current: string, next: Stage): string {
  const rank = (s: string) => (isStage(s) ? STAGE_RANK[s] : 0);
  return rank(next) >= rank(current) ? next : current;
}

/** SQL for the rank of a stage expression; a stage this build does not know ranks first. */
export function stageRankSql(expr: string): string {
  const whens = Object.entries(STAGE_RANK)
    .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
    .join(' ');
  return `(CASE ${expr} ${whens} ELSE 0 END)`;
}

/** SQL for furthestStage(current, next), evaluated on the row as it is when the UPDATE holds it. */
export function furthestStageSql(current: string, next: string): string {
  return `(CASE WHEN ${stageRankSql(next)} >= ${stageRankSql(current)} THEN ${next} ELSE ${current} END)`;
}
