import { HttpException } from '@nestjs/common';
import { FieldError, problem } from '@mash/contracts';
import { QuarantineService } from '../quarantine/quarantine.service';
import { checkJsonDepth, MAX_JSON_DEPTH } from './jsonDepth';

/** Quarantines what was sent, then answers with a problem document: the reason and every field error. */
export async function reject(
  quarantine: QuarantineService,
  r: { sender: string; channel: string; status: number; reason: string; errors?: FieldError[]; raw: unknown; keepBytes?: number },
): Promise<never> {
  const raw = typeof r.raw === 'string' ? r.raw : r.raw === undefined ? '' : JSON.stringify(r.raw);
  const quarantineId = await quarantine.keep({ ...r, raw });
  throw new HttpException(problem(r.status, r.reason, { errors: r.errors, quarantineId }), r.status);
}

export type Parsed = { ok: true; value: unknown } | { ok: false; status: 400 | 422; message: string; errors?: FieldError[] };

/**
 * Parses a JSON body kept as text (so broken JSON can still be quarantined as it came). Nesting is
 * measured first: a body too deep is JSON, but no contact, and refusing it by name here keeps the
 * recursive steps after parsing (validation, serialising) away from it.
 */
export function parseJson(text: unknown): Parsed {
  if (typeof text !== 'string' || text.trim().length === 0) return { ok: false, status: 400, message: 'body is empty' };
  const depth = checkJsonDepth(text);
  if (!depth.ok) {
    return {
      ok: false,
      status: 422,
      message: `body nests deeper than ${MAX_JSON_DEPTH} levels`,
      errors: [
        { path: depth.path, rule: 'maxDepth', message: `nests deeper than ${MAX_JSON_DEPTH} levels; a contact never nests more than six` },
      ],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, message: `body is not valid JSON: ${(err as Error).message.slice(0, 200)}` };
  }
}
