import type { Rating } from '@mash/contracts';

export const MATRIX_RATINGS: readonly Rating[] = ['RED', 'AMBER', 'GREEN', 'BLUE'];
const ORDER: Record<Rating, number> = { BLUE: 0, GREEN: 1, AMBER: 2, RED: 3 };

export interface RatingsMatrix {
  ratings: readonly Rating[];
  /** counts[start][end]: cases rated `start` when checks began and `end` when they finished. */
  counts: Record<Rating, Record<Rating, number>>;
  reRated: number;
  escalated: number;
  deEscalated: number;
  unchanged: number;
  /** Percentages of re-rated cases, one decimal (Westminster: 6% -> 11% escalated, 42% -> 36% de-escalated, L2041). */
  escalationRate: number;
  deEscalationRate: number;
  /** Cases rated at the start whose checks have not finished: not in the matrix yet. */
  awaitingEnd: number;
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);

/** The start -> end matrix (London template L4154-4188) from per-pair counts. */
export function ratingsMatrix(rows: readonly { start: Rating; end: Rating | null; n: number }[]): RatingsMatrix {
  const counts = Object.fromEntries(MATRIX_RATINGS.map((s) => [s, Object.fromEntries(MATRIX_RATINGS.map((e) => [e, 0]))])) as Record<
    Rating,
    Record<Rating, number>
  >;
  let escalated = 0;
  let deEscalated = 0;
  let unchanged = 0;
  let awaitingEnd = 0;
  for (const { start, end, n } of rows) {
    if (end === null) {
      awaitingEnd += n;
      continue;
    }
    counts[start][end] += n;
    if (ORDER[end] > ORDER[start]) escalated += n;
    else if (ORDER[end] < ORDER[start]) deEscalated += n;
    else unchanged += n;
  }
  const reRated = escalated + deEscalated + unchanged;
  return {
    ratings: MATRIX_RATINGS,
    counts,
    reRated,
    escalated,
    deEscalated,
    unchanged,
    escalationRate: pct(escalated, reRated),
    deEscalationRate: pct(deEscalated, reRated),
    awaitingEnd,
  };
}
