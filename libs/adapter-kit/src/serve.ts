import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Contact, contactInboundTopic, ContactInbound, NoticeIssued, noticeIssuedTopic, SubmittingAgency, validateData } from '@mash/contracts';
import { KafkaPort, log, messagingConfigFromEnv, setLogService, Subscription } from '@mash/messaging';
import { AdapterConfig, adapterConfigFromEnv } from './config';
import { GatewayClient } from './gatewayClient';
import type { Translation } from './native-reader';
import { NoticeBoard } from './noticeBoard';
import { RejectLog } from './rejectLog';
import { NOTICE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '@mash/contracts';

export interface AdapterDefinition {
  agency: SubmittingAgency;
  /** The pure translator: the agency's native record to the canonical contact, errors at native paths. */
  translate: (native: unknown) => Translation;
  /** How this agency hears outcome notices: its own notice topic, or a signed webhook to this adapter. */
  notices: 'topic' | 'webhook';
}

export interface RunningAdapter {
  url: string;
  config: AdapterConfig;
  board: NoticeBoard;
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Runs one agency adapter as its own small process:
 *   POST /records          the agency's NATIVE record; translated, then sent to the hub
 *   GET  /contacts/:id     the contact's status at the gateway, asked with this adapter's credential
 *   GET  /notices          outcome notices received for this agency (JSON, newest first)
 *   POST /notices/webhook  (webhook agencies) signed notices from the hub's notifier
 *   GET  /health/live, /health/ready
 * Untranslatable records get 422 with every native-path error and are kept in the local reject
 * log, never forwarded: see RejectLog for why.
 */
export async function serveAdapter(def: AdapterDefinition, env: NodeJS.ProcessEnv = process.env): Promise<RunningAdapter> {
  // The launcher names each deployable (MASH_SERVICE); two adapters of one agency (say HTTP and
  // Kafka mode side by side) then keep separate consumer groups and each sees every notice.
  const name = env.MASH_SERVICE ?? `adapter-${def.agency}`;
  setLogService(name);
  const config = adapterConfigFromEnv(def.agency, env);
  const board = new NoticeBoard();
  const rejects = new RejectLog(config.rejectLog);
  const gateway = new GatewayClient({ gatewayUrl: config.gatewayUrl, agency: def.agency, token: config.token, retry: config.retry });
  const needsKafka = config.mode === 'kafka' || def.notices === 'topic';
  const port = needsKafka ? new KafkaPort(messagingConfigFromEnv(name, env)) : undefined;
  let subscription: Subscription | undefined;
  let ready = false;

  /**
   * Webhook agencies hear notices at this adapter, which holds the shared secret and hands them on
   * inside the agency; the endpoint a native record names is the agency system's, not the hub's to call.
   */
  const routeNotices = (contact: Contact): Contact =>
    def.notices === 'webhook' && contact.referrer.channel.kind !== 'none'
      ? { ...contact, referrer: { ...contact.referrer, channel: { kind: 'webhook', url: config.noticeWebhookUrl } } }
      : contact;

  async function submitRecord(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req, config.maxBodyBytes)).toString('utf8');
    let native: unknown;
    try {
      native = JSON.parse(raw);
    } catch (err) {
      const errors = [{ path: '/', rule: 'json', message: `is not valid JSON: ${(err as Error).message}` }];
      await rejects.keep({ reason: 'not JSON', errors, raw });
      return send(res, 400, { status: 400, error: `the ${def.agency} record is not JSON`, errors });
    }
    const translation = def.translate(native);
    if (!translation.ok) {
      await rejects.keep({ reason: 'untranslatable', errors: translation.errors, raw });
      log('info', 'native record refused', { agency: def.agency, errorCount: translation.errors.length });
      return send(res, 422, {
        status: 422,
        error: `the ${def.agency} record cannot become a canonical contact: fix these fields in the ${def.agency} system and send it again`,
        errors: translation.errors,
        forwarded: false,
      });
    }
    const contact = routeNotices(translation.contact);

    if (config.mode === 'kafka') {
      const data: ContactInbound = { agency: def.agency, submission: contact };
      // Keyed by the agency reference: there is no case yet, and a resend of the same record lands
      // on the same partition, in order; the gateway keeps one contact per reference either way.
      const [env] = await port!.publish([{ topic: contactInboundTopic(def.agency), key: contact.agencyReference, data }]);
      log('info', 'contact published to inbound topic', { agency: def.agency, agencyReference: contact.agencyReference, messageId: env.id });
      return send(res, 202, { agencyReference: contact.agencyReference, via: 'kafka', topic: contactInboundTopic(def.agency), messageId: env.id });
    }

    const answer = await gateway.submit(contact);
    if (answer.kind === 'accepted') {
      log('info', 'contact submitted', { agency: def.agency, agencyReference: contact.agencyReference, contactId: answer.body.contactId, attempts: answer.attempts });
      return send(res, answer.status, { agencyReference: contact.agencyReference, via: 'http', ...answer.body });
    }
    if (answer.kind === 'refused') {
      log('warn', 'gateway refused a translated contact', { agency: def.agency, agencyReference: contact.agencyReference, status: answer.status, quarantineId: answer.body.quarantineId });
      // A 422 is about the record (the sender can act on it); anything else is this adapter's set-up.
      const status = answer.status === 422 || answer.status === 400 ? 422 : 502;
      return send(res, status, { status, error: `the hub refused the contact: ${answer.body.error ?? `HTTP ${answer.status}`}`, errors: answer.body.errors ?? [], gateway: answer.body });
    }
    log('warn', 'gateway unavailable after retries', { agency: def.agency, agencyReference: contact.agencyReference, attempts: answer.attempts, reason: answer.reason });
    // Safe to resend: the gateway keeps one contact per agency reference.
    return send(res, 503, { status: 503, error: `the hub did not answer after ${answer.attempts} attempts (${answer.reason}); send the record again later` }, { 'retry-after': '30' });
  }

  async function receiveWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, 256 * 1024);
    const ok = verifySignature(raw, header(req, SIGNATURE_HEADER), config.webhookSecret, header(req, TIMESTAMP_HEADER));
    if (!ok) {
      log('warn', 'notice with a bad or missing signature refused', { agency: def.agency, noticeId: header(req, NOTICE_ID_HEADER)?.slice(0, 100) });
      return send(res, 401, { status: 401, error: 'signature does not verify' });
    }
    let notice: unknown;
    try {
      notice = JSON.parse(raw.toString('utf8'));
    } catch {
      return send(res, 400, { status: 400, error: 'notice is not JSON' });
    }
    const checked = validateData<NoticeIssued>('noticeIssued', notice);
    if (!checked.ok) return send(res, 400, { status: 400, error: 'notice breaks its contract', errors: checked.errors });
    const fresh = board.add(checked.value, 'webhook');
    log('info', fresh ? 'notice received' : 'notice redelivery ignored', { agency: def.agency, noticeId: checked.value.noticeId, caseId: checked.value.caseId, contactId: checked.value.contactId });
    return send(res, 200, { received: checked.value.noticeId });
  }

  async function contactStatus(id: string, res: ServerResponse): Promise<void> {
    const r = await fetch(`${config.gatewayUrl.replace(/\/$/, '')}/v1/contacts/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${config.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await r.text();
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(text);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://adapter');
    const route = `${req.method} ${url.pathname}`;
    const work = (async () => {
      if (route === 'POST /records') return submitRecord(req, res);
      if (route === 'GET /notices') {
        return send(res, 200, { agency: def.agency, notices: board.list({ contactId: url.searchParams.get('contactId') ?? undefined, agencyReference: url.searchParams.get('agencyReference') ?? undefined }) });
      }
      if (route === 'POST /notices/webhook' && def.notices === 'webhook') return receiveWebhook(req, res);
      const status = /^GET \/contacts\/([^/]+)$/.exec(route);
      if (status) return contactStatus(decodeURIComponent(status[1]), res);
      if (route === 'GET /health/live') return send(res, 200, { status: 'ok' });
      if (route === 'GET /health/ready') return ready ? send(res, 200, { status: 'ready', agency: def.agency, mode: config.mode }) : send(res, 503, { status: 'not-ready' });
      return send(res, 404, { status: 404, error: `no route ${route.slice(0, 100)}` });
    })();
    work.catch((err) => {
      if (res.headersSent) return res.end();
      if (err instanceof BodyTooLarge) return send(res, 413, { status: 413, error: `record larger than ${config.maxBodyBytes} bytes` }, { connection: 'close' });
      log('error', 'adapter request failed', { agency: def.agency, route: route.slice(0, 100), error: (err as Error).name });
      send(res, 500, { status: 500, error: 'the adapter failed; send the record again' });
    });
  });

  if (port) await port.ensureTopics();
  if (def.notices === 'topic') {
    subscription = await port!.subscribe({
      group: name,
      topics: [noticeIssuedTopic(def.agency)],
      // From the beginning for a new group: a notice issued while the adapter was down still arrives.
      handle: async ({ envelope }) => {
        const notice = envelope.data as NoticeIssued;
        if (board.add(notice, 'topic')) log('info', 'notice received', { agency: def.agency, noticeId: notice.noticeId, caseId: notice.caseId, contactId: notice.contactId });
      },
    });
  }
  await new Promise<void>((r) => server.listen(config.port, config.host, r));
  ready = true;
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  log('info', 'adapter ready', { agency: def.agency, mode: config.mode, notices: def.notices, url, rejectLog: rejects.enabled });

  const stop = async () => {
    ready = false;
    await new Promise<void>((r) => server.close(() => r()));
    await subscription?.stop();
    await port?.close();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return { url, config, board, stop };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
