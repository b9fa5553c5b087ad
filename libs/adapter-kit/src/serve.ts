import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  Contact,
  contactInboundTopic,
  ContactInbound,
  NoticeIssued,
  noticeIssuedTopic,
  SubmittingAgency,
  validateData,
} from '@mash/contracts';
import { KafkaPort, log, messagingConfigFromEnv, setLogService, startTracing, stopTracing, Subscription } from '@mash/messaging/standalone';
import {
  answerOps,
  checkJsonDepth,
  kafkaReadiness,
  metricsCredential,
  observeHttp,
  RateLimiter,
  sendProblem,
} from '@mash/platform/standalone';
import { loadCodeMap } from '@mash/policy';
import { Counter, Registry } from 'prom-client';
import type { FieldError } from '@mash/contracts';
import { AdapterConfig, adapterConfigFromEnv } from './config';
import { GatewayClient } from './gatewayClient';
import type { Translation } from './nativeReader';
import { NoticeBoard } from './noticeBoard';
import { RejectLog, rejectLogRetentionFromEnv } from './rejectLog';
import { NOTICE_ID_HEADER, problem, PROBLEM_MEDIA_TYPE, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '@mash/contracts';

export interface AdapterDefinition {
  agency: SubmittingAgency;
  /** The pure translator: the agency's native record to the canonical contact, errors at native paths. */
  translate: (native: unknown) => Translation;
  /** How this agency hears outcome notices: its own notice topic, or a signed webhook to this adapter. */
  notices: 'topic' | 'webhook';
  /**
   * The agency's own way of saying "refused" (FHIR: an OperationOutcome), for a record that cannot
   * be read or translated; by default the hub's JSON error with every native-path error.
   */
  refusal?: (status: number, error: string, errors: FieldError[]) => { body: unknown; contentType?: string };
  /** Served at GET /metadata: what this adapter accepts (FHIR: its CapabilityStatement). */
  metadata?: () => { body: unknown; contentType?: string };
}

export interface RunningAdapter {
  url: string;
  config: AdapterConfig;
  board: NoticeBoard;
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** Past this many times the limit a sender is not finishing an upload but flooding: only then is the socket dropped. */
const DRAIN_FACTOR = 16;

/**
 * The body, or BodyTooLarge once an oversized one has been read to its end. The excess is read and
 * thrown away, not kept, and the answer waits for the end: answering (and closing) while the
 * sender is still writing resets its connection and it never sees the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit * DRAIN_FACTOR) {
        req.destroy();
        return;
      }
      if (size <= limit) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The routes only the agency's own system may call: records in, case status and notices out. */
export const CLIENT_ROUTES = /^(POST \/records|GET \/notices|GET \/contacts\/[^/]+)$/;

const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

/**
 * Runs one agency adapter as its own small process:
 *   POST /records          the agency's NATIVE record; translated, then sent to the hub
 *   GET  /contacts/:id     the contact's status at the gateway, asked with this adapter's credential
 *   GET  /notices          outcome notices received for this agency (JSON, newest first)
 *   POST /notices/webhook  (webhook agencies) signed notices from the hub's notifier
 *   GET  /health/live, /health/ready
 * The first three need the agency system's credential (CLIENT_ROUTES); the webhook is signed.
 * Untranslatable records get 422 with every native-path error and are kept in the local reject
 * log, never forwarded: see RejectLog for why.
 */
export async function serveAdapter(def: AdapterDefinition, env: NodeJS.ProcessEnv = process.env): Promise<RunningAdapter> {
  // The launcher names each deployable (MASH_SERVICE); two adapters of one agency (say HTTP and
  // Kafka mode side by side) then keep separate consumer groups and each sees every notice.
  const name = env.MASH_SERVICE ?? `adapter-${def.agency}`;
  setLogService(name);
  startTracing(name, env);
  // Production mode refuses to start with no metrics credential or the demo one.
  metricsCredential();
  const config = adapterConfigFromEnv(def.agency, env);
  const board = new NoticeBoard();
  const rejects = new RejectLog(config.rejectLog, rejectLogRetentionFromEnv(env));
  rejects.startPruning();
  const gateway = new GatewayClient({ gatewayUrl: config.gatewayUrl, agency: def.agency, token: config.token, retry: config.retry });
  const needsKafka = config.mode === 'kafka' || def.notices === 'topic';
  const port = needsKafka ? new KafkaPort(messagingConfigFromEnv(name, env)) : undefined;
  let subscription: Subscription | undefined;
  let serving = false;

  /**
   * Webhook agencies hear notices at this adapter, which holds the shared secret and hands them on
   * inside the agency; the endpoint a native record names is the agency system's, not the hub's to call.
   */
  const routeNotices = (contact: Contact): Contact =>
    def.notices === 'webhook' && contact.referrer.channel.kind !== 'none'
      ? { ...contact, referrer: { ...contact.referrer, channel: { kind: 'webhook', url: config.noticeWebhookUrl } } }
      : contact;

  const limiter = new RateLimiter(config.rateLimit.perSecond, config.rateLimit.burst);
  const codes = loadCodeMap();
  const metrics = new Registry();
  const unmappedCodes = new Counter({
    name: 'mash_adapter_unmapped_codes_total',
    help: 'Codes in translated records that the code map does not know (travelled as 20, other, with their words), by code system',
    labelNames: ['agency', 'system'],
    registers: [metrics],
  });

  /** Codes the hub cannot count as a canonical factor are counted here, never dropped: the code map's to-do list. */
  const countUnmapped = (contact: Contact): number => {
    const unmapped = contact.presentingIssues.filter((i) => i.coding && !codes.read(i.coding.system, i.coding.code).mapped);
    for (const i of unmapped) unmappedCodes.inc({ agency: def.agency, system: i.coding!.system });
    return unmapped.length;
  };

  /** A refused record, in the agency's own format when it has one. */
  const refuse = (res: ServerResponse, status: number, error: string, errors: FieldError[], headers: Record<string, string> = {}) => {
    if (!def.refusal)
      return send(
        res,
        status,
        { ...problem(status, error, { errors }), forwarded: false },
        { ...headers, 'content-type': PROBLEM_MEDIA_TYPE },
      );
    const { body, contentType } = def.refusal(status, error, errors);
    return send(res, status, body, contentType ? { ...headers, 'content-type': contentType } : headers);
  };

  async function submitRecord(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!limiter.take(req.socket.remoteAddress ?? 'unknown')) {
      log('warn', 'native record refused: rate limit', { agency: def.agency });
      const error = `too many records: at most ${config.rateLimit.perSecond} a second (burst ${config.rateLimit.burst}); slow down and send again`;
      return refuse(res, 429, error, [{ path: '/', rule: 'rateLimit', message: error }], { 'retry-after': '1' });
    }
    const raw = (await readBody(req, config.maxBodyBytes)).toString('utf8');
    const depth = checkJsonDepth(raw, config.maxJsonDepth);
    if (!depth.ok) {
      const errors = [{ path: depth.path, rule: 'maxDepth', message: `nests deeper than ${config.maxJsonDepth} levels` }];
      await rejects.keep({ reason: 'too deep', errors, raw: raw.slice(0, 1000) });
      return refuse(res, 422, `the ${def.agency} record nests deeper than ${config.maxJsonDepth} levels`, errors);
    }
    let native: unknown;
    try {
      native = JSON.parse(raw);
    } catch (err) {
      const errors = [{ path: '/', rule: 'json', message: `is not valid JSON: ${(err as Error).message}` }];
      await rejects.keep({ reason: 'not JSON', errors, raw });
      return refuse(res, 400, `the ${def.agency} record is not JSON`, errors);
    }
    const translation = def.translate(native);
    if (!translation.ok) {
      await rejects.keep({ reason: 'untranslatable', errors: translation.errors, raw });
      log('info', 'native record refused', { agency: def.agency, errorCount: translation.errors.length });
      return refuse(
        res,
        422,
        `the ${def.agency} record cannot become a canonical contact: fix these fields in the ${def.agency} system and send it again`,
        translation.errors,
      );
    }
    const contact = routeNotices(translation.contact);
    const unmapped = countUnmapped(contact);
    if (unmapped)
      log('info', 'record carries codes the code map does not know', {
        agency: def.agency,
        agencyReference: contact.agencyReference,
        unmapped,
        codeMap: codes.version,
      });

    if (config.mode === 'kafka') {
      const data: ContactInbound = { agency: def.agency, submission: contact };
      // Keyed by the agency reference: there is no case yet, and a resend of the same record lands
      // on the same partition, in order; the gateway keeps one contact per reference either way.
      const [env] = await port!.publish([{ topic: contactInboundTopic(def.agency), key: contact.agencyReference, data }]);
      log('info', 'contact published to inbound topic', {
        agency: def.agency,
        agencyReference: contact.agencyReference,
        messageId: env.id,
      });
      return send(res, 202, {
        agencyReference: contact.agencyReference,
        via: 'kafka',
        topic: contactInboundTopic(def.agency),
        messageId: env.id,
      });
    }

    const answer = await gateway.submit(contact);
    if (answer.kind === 'accepted') {
      log('info', 'contact submitted', {
        agency: def.agency,
        agencyReference: contact.agencyReference,
        contactId: answer.body.contactId,
        attempts: answer.attempts,
      });
      return send(res, answer.status, { agencyReference: contact.agencyReference, via: 'http', ...answer.body });
    }
    if (answer.kind === 'refused') {
      log('warn', 'gateway refused a translated contact', {
        agency: def.agency,
        agencyReference: contact.agencyReference,
        status: answer.status,
        quarantineId: answer.body.quarantineId,
      });
      // A 422 is about the record (the sender can act on it); anything else is this adapter's set-up.
      const status = answer.status === 422 || answer.status === 400 ? 422 : 502;
      const detail = `the hub refused the contact: ${answer.body.detail ?? answer.body.error ?? `HTTP ${answer.status}`}`;
      return send(
        res,
        status,
        { ...problem(status, detail, { errors: answer.body.errors ?? [] }), gateway: answer.body },
        { 'content-type': PROBLEM_MEDIA_TYPE },
      );
    }
    log('warn', 'gateway unavailable after retries', {
      agency: def.agency,
      agencyReference: contact.agencyReference,
      attempts: answer.attempts,
      reason: answer.reason,
    });
    // Safe to resend: the gateway keeps one contact per agency reference.
    return sendProblem(
      res,
      503,
      `the hub did not answer after ${answer.attempts} attempts (${answer.reason}); send the record again later`,
      { headers: { 'retry-after': '30' } },
    );
  }

  async function receiveWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, 256 * 1024);
    const ok = verifySignature(raw, header(req, SIGNATURE_HEADER), config.webhookSecret, header(req, TIMESTAMP_HEADER));
    if (!ok) {
      log('warn', 'notice with a bad or missing signature refused', {
        agency: def.agency,
        noticeId: header(req, NOTICE_ID_HEADER)?.slice(0, 100),
      });
      return sendProblem(res, 401, 'signature does not verify');
    }
    let notice: unknown;
    try {
      notice = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendProblem(res, 400, 'notice is not JSON');
    }
    const checked = validateData<NoticeIssued>('noticeIssued', notice);
    if (!checked.ok) return sendProblem(res, 400, 'notice breaks its contract', { errors: checked.errors });
    const fresh = board.add(checked.value, 'webhook');
    log('info', fresh ? 'notice received' : 'notice redelivery ignored', {
      agency: def.agency,
      noticeId: checked.value.noticeId,
      caseId: checked.value.caseId,
      contactId: checked.value.contactId,
    });
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

  const ready = async (): Promise<Record<string, 'ok' | 'down'>> => ({
    adapter: serving ? 'ok' : 'down',
    ...(kafkaReady ? await kafkaReady() : {}),
  });
  const kafkaReady = port ? kafkaReadiness(port) : undefined;
  const observe = observeHttp((req) => routeTemplate(req.method, new URL(req.url ?? '/', 'http://adapter').pathname));
  const refusals = new RateLimiter(config.refusalLimit.perSecond, config.refusalLimit.burst);
  const server: Server = createServer((req, res) =>
    observe(req, res, () => {
      const url = new URL(req.url ?? '/', 'http://adapter');
      const route = `${req.method} ${url.pathname}`;
      // Refused before a byte of the body is read, and nothing of it kept; past a few refusals an
      // address gets 429 (docs/trust-boundary.md).
      if (CLIENT_ROUTES.test(route) && !config.clientToken.allows(req.headers.authorization)) {
        const address = req.socket.remoteAddress ?? 'unknown';
        if (!refusals.take(address))
          return send(
            res,
            429,
            { status: 429, error: 'too many refused requests from this address: wait, then send the agency credential' },
            { 'retry-after': '1', connection: 'close' },
          );
        log('warn', 'request without the agency credential refused', {
          agency: def.agency,
          route: route.replace(/\/contacts\/.*/, '/contacts/:id').slice(0, 100),
        });
        return send(
          res,
          401,
          { status: 401, error: 'this adapter needs the agency credential (Authorization: Bearer, ADAPTER_CLIENT_TOKEN)' },
          { 'www-authenticate': 'Bearer', connection: 'close' },
        );
      }
      const work = (async () => {
        if (await answerOps(req, res, ready, [metrics])) return;
        if (route === 'POST /records') return submitRecord(req, res);
        if (route === 'GET /metadata' && def.metadata) {
          const { body, contentType } = def.metadata();
          return send(res, 200, body, contentType ? { 'content-type': contentType } : {});
        }
        if (route === 'GET /notices') {
          return send(res, 200, {
            agency: def.agency,
            notices: board.list({
              contactId: url.searchParams.get('contactId') ?? undefined,
              agencyReference: url.searchParams.get('agencyReference') ?? undefined,
            }),
          });
        }
        if (route === 'POST /notices/webhook' && def.notices === 'webhook') return receiveWebhook(req, res);
        const status = /^GET \/contacts\/([^/]+)$/.exec(route);
        if (status) return contactStatus(decodeURIComponent(status[1]), res);
        return sendProblem(res, 404, `no route ${route.slice(0, 100)}`);
      })();
      work.catch((err) => {
        if (res.headersSent) return res.end();
        if (err instanceof BodyTooLarge) {
          const error = `the record is larger than the limit of ${mib(config.maxBodyBytes)} (ADAPTER_MAX_BODY_BYTES)`;
          log('warn', 'native record refused: too large', { agency: def.agency, limitBytes: config.maxBodyBytes });
          return refuse(res, 413, error, [{ path: '/', rule: 'maxBodyBytes', message: error }], { connection: 'close' });
        }
        log('error', 'adapter request failed', { agency: def.agency, route: route.slice(0, 100), error: (err as Error).name });
        sendProblem(res, 500, 'the adapter failed; send the record again');
      });
    }),
  );

  if (port) await port.prepareTopics();
  if (def.notices === 'topic') {
    subscription = await port!.subscribe({
      group: name,
      topics: [noticeIssuedTopic(def.agency)],
      // From the beginning for a new group: a notice issued while the adapter was down still arrives.
      handle: async ({ envelope }) => {
        const notice = envelope.data as NoticeIssued;
        if (board.add(notice, 'topic'))
          log('info', 'notice received', {
            agency: def.agency,
            noticeId: notice.noticeId,
            caseId: notice.caseId,
            contactId: notice.contactId,
          });
      },
    });
  }
  await new Promise<void>((r) => server.listen(config.port, config.host, r));
  serving = true;
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  log('info', 'adapter ready', { agency: def.agency, mode: config.mode, notices: def.notices, url, rejectLog: rejects.enabled });

  const stop = async () => {
    serving = false;
    rejects.stopPruning();
    await new Promise<void>((r) => server.close(() => r()));
    await subscription?.stop();
    await port?.close();
    await stopTracing();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return { url, config, board, stop };
}

/** Route templates for metrics and spans: a path can hold a contact id, a label must not. */
function routeTemplate(method: string | undefined, path: string): string {
  if (/^\/contacts\/[^/]+$/.test(path)) return '/contacts/:id';
  return ['/records', '/metadata', '/notices', '/notices/webhook', '/health/live', '/health/ready', '/metrics'].includes(path)
    ? path
    : 'unmatched';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
