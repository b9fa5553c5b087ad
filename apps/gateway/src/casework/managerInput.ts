import { FieldError, Person, TopicKind, validateData } from '@mash/contracts';
import type { Principal } from '../credentials/credentials.service';
import { parseJson, reject } from '../intake/rejection';
import { QuarantineService } from '../quarantine/quarantine.service';

/**
 * What a decision maker sends about a case (a decision, a consent override), from the principal
 * AccessGuard let through: the body must parse, and with the fields the hub sets itself it must
 * meet the topic's contract. Any refusal is quarantined with every field error, as at the front door.
 */
export async function readManagerInput<T>(
  deps: { quarantine: QuarantineService },
  req: { channel: string; who: Principal; body: unknown; kind: TopicKind; what: string },
  serverFields: (who: Principal) => Record<string, unknown>,
): Promise<{ who: Principal; value: T }> {
  const { channel, body, who } = req;
  const parsed = parseJson(body);
  if (!parsed.ok) {
    const p = parsed as { message: string; status?: number; errors?: FieldError[] };
    return reject(deps.quarantine, {
      sender: who.principal,
      channel,
      status: p.status ?? 400,
      reason: p.message,
      errors: p.errors,
      raw: body,
    });
  }
  const value = { ...(parsed.value as object), ...serverFields(who) } as T;
  const checked = validateData<T>(req.kind, value);
  if (!checked.ok) {
    const errors = checked.errors.map((e) => ({ ...e, path: e.path.replace(/^\/data/, '') || '/' }));
    return reject(deps.quarantine, {
      sender: who.principal,
      channel,
      status: 422,
      reason: `the ${req.what} breaks the ${req.what} rules`,
      errors,
      raw: body,
    });
  }
  return { who, value };
}

/**
 * The person a decision or an override is recorded under: who signed in (subject and display name
 * from their token), whatever the body says.
 */
export function signedInPerson(who: Principal): Person {
  return { name: who.name ?? who.principal, role: who.role, subject: who.principal };
}
