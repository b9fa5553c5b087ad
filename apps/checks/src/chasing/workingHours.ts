import type { CheckAgency } from '@mash/contracts';
import { elapsedTime, PointInWindow } from './schedule';

/**
 * THE injection point for agency working hours. Agencies work different hours (Lancashire police
 * 7 days 8-5), so "half way to due" is measured on the agency's calendar. Until the shared working
 * calendar library lands, every agency runs on elapsed time; to plug it in, replace the provider:
 *
 *   { provide: AGENCY_CALENDAR, useFactory: (cal: WorkingCalendar) => (agency) => cal.pointInWindowFor(agency), inject: [...] }
 */
export const AGENCY_CALENDAR = Symbol('AGENCY_CALENDAR');

/** The clock a request's reminders are measured on, per agency. */
export type AgencyCalendar = (agency: CheckAgency) => PointInWindow;

export const elapsedTimeForEveryAgency: AgencyCalendar = () => elapsedTime;

export const agencyCalendarProvider = { provide: AGENCY_CALENDAR, useValue: elapsedTimeForEveryAgency };
