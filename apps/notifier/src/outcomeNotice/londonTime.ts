/**
 * Notices are read by people in England: times are shown in UK local time (GMT/BST), and the
 * "day" of a digest is the London calendar day, not the UTC one.
 */
const longFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hour12: false });

export function londonDateTime(iso: string | Date): string {
  return longFormat.format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** YYYY-MM-DD of the London calendar day an instant falls on. */
export function londonDay(iso: string | Date): string {
  return dayFormat.format(typeof iso === 'string' ? new Date(iso) : iso);
}

export function londonClock(iso: string | Date): string {
  return timeFormat.format(typeof iso === 'string' ? new Date(iso) : iso);
}
