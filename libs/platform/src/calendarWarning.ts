import { calendarCoverage, loadPolicyFromEnv, Policy } from '@mash/policy';
import { now as hubNow } from './clock';

let policy: Policy | null | undefined;

/**
 * The locality calendar's warning, if its bank holidays run out within a year, for the start-up
 * log and /health/ready. The policy is read once; a policy that does not load is reported by the
 * service that needs it, not here.
 */
export function calendarWarning(now: Date = hubNow()): string | undefined {
  if (policy === undefined) {
    try {
      policy = loadPolicyFromEnv();
    } catch {
      policy = null;
    }
  }
  return policy ? calendarCoverage(policy, now).warning : undefined;
}
