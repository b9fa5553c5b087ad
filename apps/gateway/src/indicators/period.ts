import { FieldError } from '@mash/contracts';
import type { Period } from './indicators.repository';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 5 * 366;

/**
 * The period of a request: `from` and `to` are calendar dates (UTC), both included. Wrong input is
 * refused with each broken field and its rule, never guessed at.
 */
export function readPeriod(from: unknown, to: unknown): { ok: true; period: Period } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const date = (name: string, v: unknown) => {
    if (
      typeof v !== 'string' ||
      !DAY.test(v) ||
      Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ||
      new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v
    ) {
      errors.push({ path: `/${name}`, rule: 'date', message: `${name} must be a calendar date YYYY-MM-DD` });
      return undefined;
    }
    return new Date(`${v}T00:00:00Z`);
  };
  const start = date('from', from);
  const end = date('to', to);
  if (start && end) {
    const days = (end.getTime() - start.getTime()) / 86400_000 + 1;
    if (days < 1) errors.push({ path: '/to', rule: 'order', message: 'to must be on or after from' });
    else if (days > MAX_DAYS) errors.push({ path: '/to', rule: 'maxRange', message: `the period may cover at most ${MAX_DAYS} days` });
  }
  if (errors.length || !start || !end) return { ok: false, errors };
  return { ok: true, period: { from: start, to: new Date(end.getTime() + 86400_000) } };
}
