import { join } from 'node:path';
import { signIn } from '../../scripts/identity';
import { Running, startDeployable, waitForHttp } from '../../scripts/processes';
import { freePort } from './ports';

export { signIn };

export interface TestIdentity {
  issuer: string;
  redirectUri: string;
  running: Running;
  stop(): Promise<void>;
}

/** The demo identity provider as a real process on a free port, as `npm start` runs it. */
export async function startTestIdentity(env: Record<string, string> = {}): Promise<TestIdentity> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const redirectUri = 'http://127.0.0.1:9/workspace/callback';
  const running = startDeployable(
    {
      name: `identity-${port}`,
      entry: 'apps/identity/src/main',
      env: { IDENTITY_PORT: String(port), IDENTITY_REDIRECT_URIS: redirectUri, ...env },
    },
    join(__dirname, '..', '..', '.run', 'test-logs'),
  );
  await waitForHttp(`${issuer}/.well-known/openid-configuration`, 60_000, running);
  return { issuer, redirectUri, running, stop: async () => void (await running.stop()) };
}
