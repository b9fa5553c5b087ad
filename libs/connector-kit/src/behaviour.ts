import type { CheckReplied, CheckRequested } from '@mash/contracts';
import { answer, Connector } from './connector';
import { now as hubNow } from '@mash/platform/clock';

/**
 * How a reference connector misbehaves on purpose, so tests and the demo can show the hub
 * chasing a slow agency, escalating a silent one, retrying and dead-lettering a failing one and
 * quarantining a malformed reply. Set with CONNECTOR_BEHAVIOUR=normal|slow:<ms>|silent|failing|malformed.
 */
export type Behaviour =
  { mode: 'normal' } | { mode: 'slow'; delayMs: number } | { mode: 'silent' } | { mode: 'failing' } | { mode: 'malformed' };

export const BEHAVIOUR_ENV = 'CONNECTOR_BEHAVIOUR';

/** Parses a behaviour; anything unrecognised is an error, so a typo does not quietly mean "normal". */
export function parseBehaviour(value: string | undefined): Behaviour {
  const v = (value ?? '').trim();
  if (v === '' || v === 'normal') return { mode: 'normal' };
  if (v === 'silent' || v === 'failing' || v === 'malformed') return { mode: v };
  const slow = /^slow:(\d+)$/.exec(v);
  if (slow) return { mode: 'slow', delayMs: Number(slow[1]) };
  throw new Error(`${BEHAVIOUR_ENV}='${v}' is not one of normal, slow:<ms>, silent, failing, malformed`);
}

export function behaviourFromEnv(env: NodeJS.ProcessEnv = process.env): Behaviour {
  return parseBehaviour(env[BEHAVIOUR_ENV]);
}

export class ConnectorFailure extends Error {
  constructor(readonly agency: string) {
    super(`${agency} connector is set to fail (${BEHAVIOUR_ENV}=failing)`);
  }
}

/**
 * What to do with one request: publish a reply, publish a body that breaks the contract (to be
 * sent raw, past the producer's validation), or publish nothing. A failing connector throws.
 */
export type ConnectorOutcome =
  { kind: 'reply'; reply: CheckReplied } | { kind: 'malformed'; data: Record<string, unknown> } | { kind: 'silent' };

export interface HandleOptions {
  behaviour?: Behaviour;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a connector on one request. A request addressed to another agency is refused: a connector
 * reads only its own topic, and one that receives another agency's request must not answer it.
 */
export async function handleCheckRequest(
  connector: Connector,
  request: CheckRequested,
  options: HandleOptions = {},
): Promise<ConnectorOutcome> {
  if (request.agency !== connector.agency) {
    throw new Error(`request ${request.requestId} is addressed to ${request.agency}, not ${connector.agency}`);
  }
  const behaviour = options.behaviour ?? { mode: 'normal' };
  const now = options.now ?? (() => hubNow());
  switch (behaviour.mode) {
    case 'silent':
      return { kind: 'silent' };
    case 'failing':
      throw new ConnectorFailure(connector.agency);
    case 'slow':
      await (options.sleep ?? realSleep)(behaviour.delayMs);
      break;
    case 'normal':
    case 'malformed':
      break;
  }
  const reply = answer(request, await connector.lookup(request), now());
  if (behaviour.mode === 'malformed') {
    // Keeps the ids, so the hub can key the dead letter to the case, and breaks three rules:
    // a wrong type, an unreadable date-time and an entry without its required date.
    return { kind: 'malformed', data: { ...reply, known: 'perhaps', repliedAt: 'yesterday-ish', entries: [{ summary: 'no date' }] } };
  }
  return { kind: 'reply', reply };
}
