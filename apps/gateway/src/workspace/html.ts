/**
 * Server-rendered HTML with every interpolated value escaped unless it is already markup made here
 * (Html). Case content comes from agencies' systems: nothing of it may become markup.
 */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]);

function part(v: unknown): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.markup;
  if (Array.isArray(v)) return v.map(part).join('');
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Short human time left ("3h 05m left", "overdue by 12m"), the same words the page's script updates. */
export function timeLeft(secondsLeft: number): string {
  const s = Math.abs(secondsLeft);
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = Math.floor(s % 60);
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  const span = d > 0 ? `${d}d ${h}h ${pad(m)}m` : h > 0 ? `${h}h ${pad(m)}m ${pad(sec)}s` : `${m}m ${pad(sec)}s`;
  return secondsLeft >= 0 ? `${span} left` : `overdue by ${span}`;
}

/** London time, as a MASH team reads its clock. */
export function when(t: string | Date | null | undefined): string {
  if (!t) return '';
  return new Date(t).toLocaleString('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
