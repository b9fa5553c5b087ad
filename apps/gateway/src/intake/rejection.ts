import { HttpException } from '@nestjs/common';
import { FieldError } from '@mash/contracts';
import { QuarantineService } from '../quarantine/quarantine.service';

/** Quarantines what was sent, then answers with the reason and every field error. */
export async function reject(
  quarantine: QuarantineService,
  r: { sender: string; channel: string; status: number; reason: string; errors?: FieldError[]; raw: unknown },
): Promise<never> {
  const raw = typeof r.raw === 'string' ? r.raw : r.raw === undefined ? '' : JSON.stringify(r.raw);
  const quarantineId = await quarantine.keep({ ...r, raw });
  throw new HttpException({ status: r.status, error: r.reason, errors: r.errors ?? [], quarantineId }, r.status);
}

/** Parses a JSON body kept as text (so broken JSON can still be quarantined as it came). */
export function parseJson(text: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, message: 'body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `body is not valid JSON: ${(err as Error).message}` };
  }
}
