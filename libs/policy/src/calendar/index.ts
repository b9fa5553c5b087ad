export { addWorkingTime, isWorkingDay, isWorkingTime, workingDayHours, workingTimeBetween } from './workingTime';
export type { ClockUnit } from './workingTime';
export { deadlineFor, clockFor, pointInTimescale } from './deadlineFor';
