import type { Consent, LawfulBasis } from '@mash/contracts';
import type { AgencyGrant, Policy } from '@mash/policy';

/** A manager's recorded decision to share without consent (Haringey judgment: case by case). */
export interface ManagerOverride {
  by: string;
  reason: string;
  basis: 'section-47' | 'risk-of-significant-harm';
}

export interface ConsentDecision {
  lawfulBasis: LawfulBasis;
  /** true: checks may go only to `allowed` agencies, for only the categories listed there. */
  limited: boolean;
  allowed?: AgencyGrant;
  override?: ManagerOverride;
  reasons: string[];
}

export class ConsentOverrideError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(`override.${field}: ${message} (rule: ${rule})`);
    this.name = 'ConsentOverrideError';
  }
}

const OVERRIDE_BASES = ['section-47', 'risk-of-significant-harm'];
const MIN_REASON = 10;

function checkOverride(o: ManagerOverride): void {
  if (typeof o.by !== 'string' || o.by.trim() === '')
    throw new ConsentOverrideError('by', 'required', 'a named manager must make the override');
  if (typeof o.reason !== 'string' || o.reason.trim().length < MIN_REASON) {
    throw new ConsentOverrideError('reason', 'minLength', `the reason must be recorded (at least ${MIN_REASON} characters)`);
  }
  if (!OVERRIDE_BASES.includes(o.basis)) throw new ConsentOverrideError('basis', 'enum', `must be one of: ${OVERRIDE_BASES.join(', ')}`);
}

/**
 * The lawful basis for this case's checks and how far they may go. Consent is sought unless the
 * matter is a section 47 one (L6105-6108); without consent only what the policy's consent limits
 * allow goes out, until a named manager records an override with its basis.
 */
export function decideConsent(consent: Consent, policy: Policy, override?: ManagerOverride): ConsentDecision {
  if (override) {
    checkOverride(override);
    return {
      lawfulBasis: override.basis,
      limited: false,
      override,
      reasons: [`${override.by} recorded sharing on the basis of ${override.basis}: ${override.reason.trim()}`],
    };
  }
  if (consent.status === 'given') {
    return { lawfulBasis: 'consent', limited: false, reasons: ['Consent to share was given.'] };
  }
  const allowed = consent.status === 'refused' ? policy.consentLimits.refused : policy.consentLimits.notSought;
  const stated = consent.lawfulBasis;
  // A stated basis of "consent" with no consent given contradicts itself; fall back to the
  // authority's statutory functions, which the limited checks rest on.
  const lawfulBasis: LawfulBasis = stated && stated !== 'consent' ? stated : 'statutory-function';
  const status = consent.status === 'refused' ? 'refused' : 'not sought';
  const agencies = Object.keys(allowed);
  return {
    lawfulBasis,
    limited: true,
    allowed,
    reasons: [
      `Consent ${status}${consent.reason ? ` (${consent.reason})` : ''}: checks limited to ${agencies.length ? agencies.join(', ') : 'no agency'} by policy ${policy.version} until a manager records an override.`,
    ],
  };
}
