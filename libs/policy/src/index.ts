/**
 * The locality policy (policies/<locality>.json) and the working calendar it defines: one place for
 * every service that rates, times, asks or reminds (triage, gateway, checks, notifier).
 */
export * from './types';
export { loadPolicy, parsePolicy, PolicyError, teamsToAlert } from './loadPolicy';
export { policySchema, DECISION_OUTCOMES } from './policySchema';
export { loadPolicyFromEnv, policyPathFromEnv, DEFAULT_POLICY } from './fromEnv';
export { repoRoot } from './repoRoot';
export { shippedPolicy, policiesDir } from './testing';
export {
  addWorkingTime,
  isWorkingDay,
  isWorkingTime,
  workingDayHours,
  workingTimeBetween,
  deadlineFor,
  clockFor,
  pointInTimescale,
} from './calendar';
export type { ClockUnit } from './calendar';
export { agencyCalendar } from './calendar/agencyCalendar';
export { replyDueBy } from './replyDue';
export { CodeMap, CodeMapError, loadCodeMap, parseCodeMap, verhoeffValid, DEFAULT_CODE_MAP } from './codes';
export type { CodeMapFile, CodeMapping, CodeReading, CodeSystemDef } from './codes';
export { calendarCoverage } from './calendar/coverage';
export type { CalendarCoverage } from './calendar/coverage';
export { outOfArea, postcodePlace } from './area';
export type { OutOfArea, PostcodePlace } from './area';
