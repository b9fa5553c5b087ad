import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RejectLog, rejectLogRetentionFromEnv } from './rejectLog';

const DAY = 24 * 3600 * 1000;
const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);

describe('the adapter reject log is pruned', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rejects-'));
  const path = join(dir, 'police-rejected.jsonl');
  const log = new RejectLog(path, { keepMs: 30 * DAY, intervalMs: 1000 });

  it('drops entries older than the retention and unreadable lines, keeps the rest, and audits each purge in a hash chain', async () => {
    const old = JSON.stringify({ at: new Date(Date.now() - 31 * DAY).toISOString(), reason: 'old', raw: 'Jane Doe 1 Old Road' });
    writeFileSync(path, `${old}\n{"at": "not a ti\n`, { mode: 0o600 });
    await log.keep({ reason: 'new', errors: [], raw: 'John Roe 2 New Street' });

    const first = await log.prune();
    expect(first).toMatchObject({ removed: 2, kept: 1, prev: '' });
    expect(lines(path).map((l) => JSON.parse(l).reason)).toEqual(['new']);
    expect(readFileSync(path, 'utf8')).not.toContain('Jane Doe');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const second = await log.prune();
    expect(second).toMatchObject({ removed: 0, kept: 1 });
    const audit = lines(log.purgeLogPath!);
    expect(audit).toHaveLength(2);
    // Counts and times only, and each record names the hash of the one before it.
    expect(audit.join('\n')).not.toContain('Roe');
    expect(JSON.parse(audit[1]).prev).toBe(createHash('sha256').update(audit[0], 'utf8').digest('hex'));
  });

  it('loses no append made while a prune runs', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => log.keep({ reason: `burst-${i}`, errors: [], raw: 'x' }));
    const pruned = log.prune(new Date(Date.now() + 29 * DAY));
    await Promise.all([...writes, pruned]);
    const reasons = lines(path).map((l) => JSON.parse(l).reason);
    for (let i = 0; i < 20; i++) expect(reasons).toContain(`burst-${i}`);
  });

  it('reads its retention from the environment and refuses a period that is not one', () => {
    expect(rejectLogRetentionFromEnv({ ADAPTER_REJECT_LOG_KEEP_DAYS: '7' }).keepMs).toBe(7 * DAY);
    expect(() => rejectLogRetentionFromEnv({ ADAPTER_REJECT_LOG_KEEP_DAYS: '0' })).toThrow(
      /ADAPTER_REJECT_LOG_KEEP_DAYS must be a positive number of days/,
    );
  });
});
