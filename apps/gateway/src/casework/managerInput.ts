import { FieldError, TopicKind, validateData } from '@mash/contracts';
import { CredentialsService, Principal } from '../credentials/credentials.service';
import { parseJson, reject } from '../intake/rejection';
import { QuarantineService } from '../quarantine/quarantine.service';

/**
 * What a decision maker sends about a case (a decision, a consent override): only a decision-maker
 * credential may, the body must parse, and with the fields the hub sets itself it must meet the
 * topic's contract. Any refusal is quarantined with every field error, as at the front door.
 */
export async function readManagerInput<T>(
  deps: { credentials: CredentialsService; quarantine: QuarantineService },
  req: { channel: string; auth: string | undefined; body: unknown; kind: TopicKind; what: string },
  serverFields: (who: Principal) => Record<string, unknown>,
): Promise<{ who: Principal; value: T }> {
  const { channel, body } = req;
  const who = await deps.credentials.authenticate(req.auth);
  if (!who || who.role !== 'decision-maker') {
    return reject(deps.quarantine, { sender: who?.principal ?? 'unauthenticated', channel, status: who ? 403 : 401, reason: 'a decision-maker credential is required', raw: body });
  }
  const parsed = parseJson(body);
  if (!parsed.ok) {
    const p = parsed as { message: string; status?: number; errors?: FieldError[] };
    return reject(deps.quarantine, { sender: who.principal, channel, status: p.status ?? 400, reason: p.message, errors: p.errors, raw: body });
  }
  const value = { ...(parsed.value as object), ...serverFields(who) } as T;
  const checked = validateData<T>(req.kind, value);
  if (!checked.ok) {
    const errors = checked.errors.map((e) => ({ ...e, path: e.path.replace(/^\/data/, '') || '/' }));
    return reject(deps.quarantine, { sender: who.principal, channel, status: 422, reason: `the ${req.what} breaks the ${req.what} rules`, errors, raw: body });
  }
  return { who, value };
}
