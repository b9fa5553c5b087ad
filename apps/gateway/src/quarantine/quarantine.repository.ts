import { Injectable } from '@nestjs/common';
import { dataKeys, isSealed } from '@mash/at-rest';
import { DataSource, EntityManager } from 'typeorm';

/** A rejection as it is stored: every text already storable, the kept part of the body still plain. */
export interface QuarantineRow {
  sender: string;
  channel: string;
  status: number;
  reason: string;
  errors: { path: string; rule: string; message: string }[];
  kept: string;
  rawBytes: number;
  truncated: boolean;
  rawSha256: string;
}

/** gateway.quarantine: rejected input, the kept body sealed at rest (docs/architecture.md, "Encryption at rest"). */
@Injectable()
export class QuarantineRepository {
  constructor(private readonly ds: DataSource) {}

  /** Inside the caller's transaction when a manager is given (a Kafka handler's). Returns the row's id. */
  async insert(r: QuarantineRow, manager?: EntityManager): Promise<number> {
    const [{ id }] = await (manager ?? this.ds).query(
      `INSERT INTO gateway.quarantine (sender, channel, status, reason, errors, raw, raw_bytes, truncated, raw_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [r.sender, r.channel, r.status, r.reason, JSON.stringify(r.errors), dataKeys().seal(r.kept), r.rawBytes, r.truncated, r.rawSha256],
    );
    return Number(id);
  }

  async list(limit: number, since?: string) {
    return this.ds.query(
      `SELECT id, received_at, sender, channel, status, reason, errors, raw_bytes, truncated FROM gateway.quarantine
       WHERE ($2::timestamptz IS NULL OR received_at >= $2) ORDER BY id DESC LIMIT $1`,
      [limit, since ?? null],
    );
  }

  async get(id: number) {
    const rows = await this.ds.query(`SELECT * FROM gateway.quarantine WHERE id = $1`, [id]);
    // Sealed at rest (docs/architecture.md, "Encryption at rest"); a row kept before sealing reads as it was.
    return rows[0] && { ...rows[0], raw: isSealed(rows[0].raw) ? dataKeys().open(rows[0].raw) : rows[0].raw };
  }
}
