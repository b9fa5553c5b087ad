import { join } from 'node:path';
import { loadPolicy } from './loadPolicy';
import { repoRoot } from './repoRoot';
import type { Policy } from './types';

/** The shipped policy files, loaded once per test file. */
const dir = join(repoRoot(), 'policies');
const cache = new Map<string, Policy>();

export function shippedPolicy(locality: 'london' | 'sandwell' | 'sefton'): Policy {
  let p = cache.get(locality);
  if (!p) {
    p = loadPolicy(join(dir, `${locality}.json`));
    cache.set(locality, p);
  }
  return p;
}

export const policiesDir = dir;
