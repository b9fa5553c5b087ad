/**
 * Structured JSON logs, one object a line. Callers pass ids and counts only: never names, dates of
 * birth, narratives or any other case content (design.md: no personal data in logs).
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = LEVELS[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? 20;
let service = process.env.MASH_SERVICE ?? 'mash';

export function setLogService(name: string): void {
  service = name;
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, service, msg, ...fields });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
}
