import type { CheckAgency, Rating } from '@mash/contracts';
import { addWorkingTime, isWorkingTime, type Policy } from '@mash/policy';

/**
 * The people and systems around the hub that the simulation plays (docs/simulation.md): agencies
 * answering check requests, and decision makers. Only these and the clock are simulated; the hub's
 * services, broker and database are the real ones.
 */

/** How one agency answers: the share that never replies, and the share that replies after its due time. */
export interface AgencyBehaviour {
  silence: number;
  late: number;
}

export const ON_TIME: AgencyBehaviour = { silence: 0, late: 0 };

/**
 * `--agencies police=silence:0.1/late:0.2,health=...` (any agency not named gets `fallback`).
 * Refuses anything else, naming the part and the rule.
 */
export function parseAgencyBehaviour(spec: string | undefined, fallback: AgencyBehaviour): (agency: CheckAgency) => AgencyBehaviour {
  const named = new Map<string, AgencyBehaviour>();
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [agency, rest] = part.split('=');
    if (!agency || !rest) throw new Error(`--agencies: '${part}' must be agency=silence:S/late:L`);
    const b = { ...fallback };
    for (const kv of rest.split('/')) {
      const [k, v] = kv.split(':');
      const n = Number(v);
      if ((k !== 'silence' && k !== 'late') || !(n >= 0 && n <= 1))
        throw new Error(`--agencies: '${kv}' for ${agency} must be silence:<0..1> or late:<0..1>`);
      b[k] = n;
    }
    if (b.silence + b.late > 1) throw new Error(`--agencies: silence + late for ${agency} must not exceed 1`);
    named.set(agency, b);
  }
  return (agency) => named.get(agency) ?? fallback;
}

/**
 * When an agency answers a request (epoch ms), or null when it stays silent. On time: somewhere in
 * the first 20-90% of the time it was given; late: 10-100% of that time after the due time.
 */
export function replyTime(requestedAt: number, dueAt: number, b: AgencyBehaviour, rng: () => number): number | null {
  const u = rng();
  const given = Math.max(60_000, dueAt - requestedAt);
  const at =
    u < b.silence ? null : u < b.silence + b.late ? dueAt + (0.1 + 0.9 * rng()) * given : requestedAt + (0.2 + 0.7 * rng()) * given;
  return at === null ? null : Math.max(requestedAt + 1000, Math.round(at / 1000) * 1000);
}

/**
 * When a decision maker records the decision on a case ready at `readyAt`. In working hours the
 * MASH team takes it: Red within 15-60 minutes, Amber 1-3 working hours, Green 2-6 working hours.
 * Out of hours the duty service takes Red cases within 30-90 minutes; Amber and Green wait for
 * the team, counted from the next working hour.
 */
export function decisionTime(readyAt: number, rating: Rating, policy: Policy, rng: () => number): number {
  const ready = new Date(readyAt);
  const minutes = (lo: number, hi: number) => (lo + rng() * (hi - lo)) * 60_000;
  let at: number;
  if (rating === 'RED') {
    at = readyAt + (isWorkingTime(ready, policy.calendar) ? minutes(15, 60) : minutes(30, 90));
  } else {
    const hours = rating === 'AMBER' ? 1 + rng() * 2 : 2 + rng() * 4;
    at = addWorkingTime(ready, hours, 'working-hours', policy.calendar).getTime();
  }
  return Math.round(at / 1000) * 1000;
}
