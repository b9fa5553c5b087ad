import { Inject, Provider } from '@nestjs/common';
import { loadPolicyFromEnv, Policy } from '@mash/policy';

/**
 * The locality policy, loaded and checked once when the service starts (a broken file stops it),
 * and injected wherever checks needs it: the agencies' working calendars, retention. Nothing else
 * in checks reads the environment for it.
 */
export const POLICY = Symbol('POLICY');
export const InjectPolicy = () => Inject(POLICY);
export const policyProvider: Provider<Policy> = { provide: POLICY, useFactory: () => loadPolicyFromEnv() };
