import { createServer } from 'node:http';
import { identityProvider } from './provider';
import { handleLogin } from './login';
import { DEMO_PEOPLE } from './people';

/**
 * The demo identity provider (`npm start`, the tests). It has demo people with demo passwords, so
 * it refuses to run in production mode: a council points the hub at its own provider
 * (MASH_OIDC_ISSUER).
 */
if (process.env.NODE_ENV === 'production') {
  process.stderr.write(
    'identity: the demo identity provider does not run in production mode; set MASH_OIDC_ISSUER to your identity provider\n',
  );
  process.exit(1);
}
const port = Number(process.env.IDENTITY_PORT ?? 8070);
const host = process.env.SERVICE_HOST ?? '127.0.0.1';
const issuer = process.env.MASH_OIDC_ISSUER ?? `http://127.0.0.1:${port}`;
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const provider = identityProvider({
  issuer,
  audience: process.env.MASH_OIDC_AUDIENCE ?? 'urn:mash:hub',
  redirectUris: (process.env.IDENTITY_REDIRECT_URIS ?? `${gateway}/workspace/callback`).split(','),
  accessTokenTtlSeconds: Number(process.env.IDENTITY_ACCESS_TOKEN_TTL ?? 900),
  rolesClaim: process.env.MASH_OIDC_ROLES_CLAIM ?? 'mash_roles',
});
const callback = provider.callback();

createServer((req, res) => {
  if (req.url === '/health/live' || req.url === '/health/ready') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  handleLogin(provider, req, res).then(
    (handled) => {
      if (!handled) callback(req, res);
    },
    (err: Error) => {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${err.name === 'SessionNotFound' ? 'the sign-in has expired; start again' : 'sign-in failed'}\n`);
    },
  );
}).listen(port, host, () => {
  process.stdout.write(
    `${JSON.stringify({ t: new Date().toISOString(), level: 'info', service: 'identity', msg: 'demo identity provider listening', issuer, people: DEMO_PEOPLE.length })}\n`,
  );
});
