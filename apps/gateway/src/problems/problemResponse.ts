// One implementation for every service: libs/platform/src/problems.ts.
export { instanceOf, problemOf, sendProblemDocument as sendProblem } from '@mash/platform';
