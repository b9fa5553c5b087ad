import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { startLocalSmtp } from '../apps/notifier/src/delivery/localSmtp';

/**
 * The demo's mail catcher: `npm start` runs it so the email channel (schools' referrers and the
 * daily digest) delivers somewhere instead of failing and retrying. SMTP on MAILBOX_SMTP_PORT (the
 * notifier's SMTP_PORT, 2525), and on MAILBOX_HTTP_PORT (8025) a page and /messages to read what was
 * sent. Loopback only and in memory, newest MAILBOX_KEEP messages: it is a demo mailbox, never a relay.
 */
const host = '127.0.0.1';
const smtpPort = Number(process.env.MAILBOX_SMTP_PORT ?? process.env.SMTP_PORT ?? 2525);
const httpPort = Number(process.env.MAILBOX_HTTP_PORT ?? 8025);
const keep = Number(process.env.MAILBOX_KEEP ?? 500);

const escape = (s: string | undefined) => (s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function main(): Promise<void> {
  const smtp = await startLocalSmtp(smtpPort, { host });
  const view = () =>
    smtp.messages.map((m, i) => ({
      n: i + 1,
      receivedAt: m.receivedAt.toISOString(),
      from: m.envelopeFrom,
      to: m.envelopeTo,
      subject: m.subject,
      messageId: m.messageId,
      text: m.text,
    }));
  const trim = () => {
    if (smtp.messages.length > keep) smtp.messages.splice(0, smtp.messages.length - keep);
  };

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(body);
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    trim();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    if (path === '/health/live' || path === '/health/ready')
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ status: 'ready', smtp: `${host}:${smtp.port}`, messages: smtp.messages.length }),
      );
    if (path === '/messages') return send(res, 200, 'application/json', JSON.stringify({ messages: view() }));
    if (path === '/') {
      const rows = view()
        .reverse()
        .map(
          (m) =>
            `<article><h2>${escape(m.subject)}</h2><p>${escape(m.receivedAt)} &middot; from ${escape(m.from)} &middot; to ${escape(m.to.join(', '))}</p><pre>${escape(m.text)}</pre></article>`,
        )
        .join('\n');
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MASH demo mailbox</title><style>body{font:15px system-ui;margin:2em;max-width:60em}article{border-top:1px solid #ccc;padding:.5em 0}pre{white-space:pre-wrap}</style></head>` +
          `<body><h1>MASH demo mailbox</h1><p>${smtp.messages.length} message(s) sent by the hub's email channel to SMTP ${host}:${smtp.port}, newest first. JSON: <a href="/messages">/messages</a>.</p>${rows || '<p>Nothing sent yet.</p>'}</body></html>`,
      );
    }
    return send(res, 404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(httpPort, host, () => resolve());
  });
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'demo mailbox ready', smtp: `${host}:${smtp.port}`, http: `http://${host}:${httpPort}/` })}\n`,
  );
  const stop = () => {
    http.close();
    void smtp.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`mailbox failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
