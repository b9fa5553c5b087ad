import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FieldError } from '@mash/contracts';
import { log } from '@mash/messaging';
import { QuarantineRepository } from './quarantine.repository';

const KEEP_BYTES = 256 * 1024;

export interface Rejection {
  sender: string;
  channel: string;
  status: number;
  reason: string;
  errors?: FieldError[];
  raw: string;
  /**
   * How much of the body to keep (default 256 KiB). A caller who presented no valid credential
   * gets a few KiB: the hash of the whole body is kept either way, so what was sent can be matched.
   */
  keepBytes?: number;
}

/**
 * Postgres text and jsonb cannot hold NUL, and a reason can quote the body (a JSON parse error
 * names the character it choked on): every field is made storable, or the rejection of a body
 * starting with NUL would itself fail. Escaped, not dropped, so the evidence stays readable.
 */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\\u0000');
}

/**
 * Rejected input is kept, with why, when and from whom, so nothing an agency sent is lost and ops
 * can follow up. The raw text goes here and never to the logs (it may be a child's record).
 */
@Injectable()
export class QuarantineService {
  constructor(private readonly quarantine: QuarantineRepository) {}

  /** Keeps a rejection; inside the caller's transaction when one is given (a Kafka handler's). */
  async keep(r: Rejection, manager?: EntityManager): Promise<number> {
    const bytes = Buffer.byteLength(r.raw, 'utf8');
    const keep = Math.min(r.keepBytes ?? KEEP_BYTES, KEEP_BYTES);
    const kept = bytes > keep ? Buffer.from(r.raw, 'utf8').subarray(0, keep).toString('utf8') : r.raw;
    const digest = createHash('sha256').update(r.raw, 'utf8').digest('hex');
    const errors = (r.errors ?? []).map((e) => ({ path: storable(e.path), rule: storable(e.rule), message: storable(e.message) }));
    const id = await this.quarantine.insert(
      {
        sender: storable(r.sender),
        channel: storable(r.channel),
        status: r.status,
        reason: storable(r.reason),
        errors,
        kept: storable(kept),
        rawBytes: bytes,
        truncated: bytes > keep,
        rawSha256: digest,
      },
      manager,
    );
    log('info', 'input quarantined', {
      quarantineId: id,
      sender: r.sender,
      channel: r.channel,
      status: r.status,
      errorCount: r.errors?.length ?? 0,
    });
    return id;
  }

  async list(limit = 100, since?: string) {
    return this.quarantine.list(limit, since);
  }

  async get(id: number) {
    return this.quarantine.get(id);
  }
}
