export { assessRepeats, monthsBefore } from './repeats';
export type { RepeatAssessment } from './repeats';
