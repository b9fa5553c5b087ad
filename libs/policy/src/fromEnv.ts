import { isAbsolute, join, resolve } from 'node:path';
import { loadPolicy } from './loadPolicy';
import { repoRoot } from './repoRoot';
import type { Policy } from './types';

export const DEFAULT_POLICY = 'policies/london.json';

/**
 * Where the locality policy lives: MASH_POLICY, else the London template. A relative path is
 * taken from the repository root, not the working directory, so a service started from dist/ or
 * from another folder reads the same file.
 */
export function policyPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.MASH_POLICY?.trim() || DEFAULT_POLICY;
  return isAbsolute(given) ? given : resolve(join(repoRoot(), given));
}

/** Loads and checks the policy named by MASH_POLICY; throws PolicyError naming every broken field. */
export function loadPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): Policy {
  return loadPolicy(policyPathFromEnv(env));
}
