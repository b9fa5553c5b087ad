export * from './types';
export { loadPolicy, parsePolicy, PolicyError, teamsToAlert } from './loadPolicy';
export { policySchema, DECISION_OUTCOMES } from './policySchema';
