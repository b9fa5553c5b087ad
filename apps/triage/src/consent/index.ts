export { decideConsent, ConsentOverrideError } from './consent';
export type { ConsentDecision, ManagerOverride } from './consent';
