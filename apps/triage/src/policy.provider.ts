import { Inject, Provider } from '@nestjs/common';
import { loadPolicyFromEnv, Policy } from '@mash/policy';

export const POLICY = Symbol('POLICY');
export const InjectPolicy = () => Inject(POLICY);

/** The locality policy (MASH_POLICY), checked when the service starts: a broken file stops it. */
export const policyProvider: Provider<Policy> = { provide: POLICY, useFactory: () => loadPolicyFromEnv() };
