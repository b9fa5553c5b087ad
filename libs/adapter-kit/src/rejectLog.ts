import { appendFile, chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FieldError } from '@mash/contracts';

const KEEP_BYTES = 256 * 1024;

/**
 * Native records the adapter could not translate. They are NOT forwarded: the hub's contract is the
 * canonical contact, and a record that cannot become one is the agency's to fix in its own system.
 * They are kept here, inside the agency's boundary, so the agency's own ops can see what was refused
 * and why (the same promise the gateway's quarantine makes: nothing sent is silently lost). The
 * file holds personal data: owner-only permissions, never echoed to logs, and a real deployment
 * points ADAPTER_REJECT_LOG at the agency's protected storage (or `off` where the source system
 * already keeps its own failed-export queue).
 */
export class RejectLog {
  constructor(private readonly path: string | undefined) {}

  get enabled(): boolean {
    return this.path !== undefined;
  }

  async keep(entry: { reason: string; errors: FieldError[]; raw: string; sender?: string }): Promise<void> {
    if (!this.path) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const bytes = Buffer.byteLength(entry.raw, 'utf8');
    const line = JSON.stringify({
      at: new Date().toISOString(),
      reason: entry.reason,
      errors: entry.errors,
      rawBytes: bytes,
      truncated: bytes > KEEP_BYTES,
      raw: entry.raw.slice(0, KEEP_BYTES),
    });
    await appendFile(this.path, line + '\n', { mode: 0o600 });
    await chmod(this.path, 0o600).catch(() => undefined);
  }
}
