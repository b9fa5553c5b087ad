/**
 * Safe by default: in production mode (NODE_ENV=production) a credential or secret the hub would
 * otherwise default to a demo value must be set, and must not be a demo or test value. The check
 * names the variable and never echoes the secret.
 */
const DEMO_VALUES: { pattern: RegExp; why: string }[] = [
  { pattern: /^demo-|[-_]demo[-_]/i, why: 'a demo value' },
  { pattern: /^test-/i, why: 'a test value' },
  { pattern: /change-?me/i, why: 'a placeholder' },
];

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * Refuses, in production mode, a missing value or one of `secrets` that looks like a demo, test or
 * placeholder value. `secrets` are the secret parts of the variable (the tokens of a list).
 */
export function requireProductionSecrets(
  variable: string,
  raw: string | undefined,
  secrets: string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (!isProduction(env)) return;
  if (raw === undefined || raw.trim() === '') throw new Error(`${variable} must be set in production mode: the demo default is refused`);
  for (const [i, s] of secrets.entries()) {
    const demo = DEMO_VALUES.find((d) => d.pattern.test(s));
    if (demo) throw new Error(`${variable} entry ${i + 1} is ${demo.why}: production mode needs a secret of its own`);
  }
}
