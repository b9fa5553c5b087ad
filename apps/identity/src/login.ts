import { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import { findPerson } from './people';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in: MASH hub (demo identity provider)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#0b0c0c}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.5rem;font-size:1rem;border:2px solid #0b0c0c;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#00703c;color:#fff;border:0}
button:focus,input:focus{outline:3px solid #fd0;outline-offset:0}.error{color:#d4351c;font-weight:600}</style></head>
<body><main><h1>Sign in</h1><p>Demo identity provider of the MASH hub. A council signs its staff in with its own.</p>
${error ? `<p class="error" role="alert" id="login-error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required${error ? ' aria-describedby="login-error"' : ''}>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 4096) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/**
 * The login step of the provider's interaction: a plain, accessible form checked against the
 * demo people. Returns false when the request is not an interaction (the provider handles it).
 */
export async function handleLogin(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
  if (!m) return false;
  const details = await provider.interactionDetails(req, res);
  // Browsers hold the redirects that follow a form's submission to its form-action too: the chain
  // ends at the client's redirect URI (already checked by the provider against the registered ones).
  const back = typeof details.params.redirect_uri === 'string' ? new URL(details.params.redirect_uri).origin : '';
  const send = (status: number, html: string) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${back}`.trimEnd(),
    });
    res.end(html);
  };
  if (req.method === 'GET' && !m[2]) {
    send(200, page(details.uid));
    return true;
  }
  if (req.method === 'POST' && m[2]) {
    const form = await formBody(req);
    const person = findPerson(form.get('username') ?? '');
    if (!person || person.password !== form.get('password')) {
      send(401, page(details.uid, 'The user name or password is not right.'));
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: person.subject } }, { mergeWithLastSubmission: false });
    return true;
  }
  send(405, page(details.uid));
  return true;
}
