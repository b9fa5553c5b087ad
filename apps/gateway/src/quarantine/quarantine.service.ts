import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FieldError } from '@mash/contracts';
import { log } from '@mash/messaging';

const KEEP_BYTES = 256 * 1024;

export interface Rejection {
  sender: string;
  channel: string;
  status: number;
  reason: string;
  errors?: FieldError[];
  raw: string;
}

/**
 * Postgres text and jsonb cannot hold NUL, and a reason can quote the body (a JSON parse error
 * names the character it choked on): every field is made storable, or the rejection of a body
 * starting with NUL would itself fail. Escaped, not dropped, so the evidence stays readable.
 */
function storable(text: string): string {
  return text.replace(/\u0000/g, '\\u0000');
}

/**
 * Rejected input is kept, with why, when and from whom, so nothing an agency sent is lost and ops
 * can follow up. The raw text goes here and never to the logs (it may be a child's record).
 */
@Injectable()
export class QuarantineService {
  constructor(private readonly ds: DataSource) {}

  /** Keeps a rejection; inside the caller's transaction when one is given (a Kafka handler's). */
  async keep(r: Rejection, manager?: EntityManager): Promise<number> {
    const bytes = Buffer.byteLength(r.raw, 'utf8');
    const errors = (r.errors ?? []).map((e) => ({ path: storable(e.path), rule: storable(e.rule), message: storable(e.message) }));
    const [{ id }] = await (manager ?? this.ds).query(
      `INSERT INTO gateway.quarantine (sender, channel, status, reason, errors, raw, raw_bytes, truncated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [storable(r.sender), storable(r.channel), r.status, storable(r.reason), JSON.stringify(errors), storable(r.raw.slice(0, KEEP_BYTES)), bytes, bytes > KEEP_BYTES],
    );
    log('info', 'input quarantined', { quarantineId: id, sender: r.sender, channel: r.channel, status: r.status, errorCount: r.errors?.length ?? 0 });
    return Number(id);
  }

  async list(limit = 100, since?: string) {
    return this.ds.query(
      `SELECT id, received_at, sender, channel, status, reason, errors, raw_bytes, truncated FROM gateway.quarantine
       WHERE ($2::timestamptz IS NULL OR received_at >= $2) ORDER BY id DESC LIMIT $1`,
      [limit, since ?? null],
    );
  }

  async get(id: number) {
    const rows = await this.ds.query(`SELECT * FROM gateway.quarantine WHERE id = $1`, [id]);
    return rows[0];
  }
}
