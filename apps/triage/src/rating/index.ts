export { rate, higherRating, RATING_ORDER } from './rate';
export type { RatingInput, RatingResult } from './rate';
