import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above `from` that holds both package.json and
 * policies/. Walking up, not a fixed number of `..`, because the same code runs from
 * libs/policy/src under jest and from dist/libs/policy/src when compiled.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository root (package.json and policies/) above ${from}`);
    dir = up;
  }
}
