import { createTransport, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { NoticeIssued } from '@mash/contracts';
import { isProduction } from '@mash/platform';
import { Channel, Clock, delivered, EmailTarget, failed, Receipt, systemClock } from './channel';

export interface EmailConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send in clear text: notices are case information. */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  from: string;
  timeoutMs?: number;
  clock?: Clock;
}

/** SMTP settings from the environment, with defaults that reach a local test server. */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const user = env.SMTP_USER;
  const config: EmailConfig = {
    host: env.SMTP_HOST ?? '127.0.0.1',
    port: Number(env.SMTP_PORT ?? 2525),
    secure: env.SMTP_SECURE === 'true',
    requireTLS: env.SMTP_REQUIRE_TLS === 'true',
    from: env.NOTICE_FROM ?? 'MASH notices <mash-notices@localhost>',
  };
  if (user) config.auth = { user, pass: env.SMTP_PASS ?? '' };
  // Notices are case information: in production mode the notifier does not start able to send them in clear text.
  if (isProduction(env) && !config.secure && !config.requireTLS) {
    throw new Error(
      'SMTP_REQUIRE_TLS=true (STARTTLS) or SMTP_SECURE=true (TLS from the first byte) is required in production mode: email notices must not travel in clear text',
    );
  }
  return config;
}

const SUBJECT: Record<NoticeIssued['kind'], string> = {
  acknowledgement: 'MASH: we have received your contact',
  outcome: 'MASH: outcome of your contact',
  closing: 'MASH: case closed',
};

/** Subject lines are seen in inbox lists and mail logs, so they carry references only, never names. */
function subjectOf(notice: NoticeIssued): string {
  const ref = notice.agencyReference ?? notice.contactId ?? notice.caseId;
  return `${SUBJECT[notice.kind]} (ref ${ref})`;
}

// SMTP reply codes: 4xx is "try again later", 5xx is "this will never work".
function classify(e: unknown): { detail: string; retryable: boolean } {
  const err = e as { responseCode?: number; code?: string; name?: string };
  if (typeof err.responseCode === 'number') return { detail: `SMTP ${err.responseCode}`, retryable: err.responseCode < 500 };
  return { detail: err.code ?? err.name ?? 'error', retryable: true };
}

export class EmailChannel implements Channel<EmailTarget> {
  readonly kind = 'email' as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly clock: Clock;

  constructor(private readonly config: EmailConfig) {
    const timeout = config.timeoutMs ?? 15_000;
    this.clock = config.clock ?? systemClock;
    this.transport = createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure ?? false,
      requireTLS: config.requireTLS ?? false,
      auth: config.auth,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // nodemailer's own logger would write recipients and subjects to the log.
      logger: false,
    });
  }

  async deliver(notice: NoticeIssued, target: EmailTarget): Promise<Receipt> {
    return this.send(target.address, subjectOf(notice), notice.text, notice.noticeId, notice.kind);
  }

  /** A text that is not one notice (the daily digest), with the same classification of failures. */
  async send(address: string, subject: string, text: string, id: string, kind: string): Promise<Receipt> {
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: address,
        subject,
        text,
        // A stable Message-ID lets mail systems and people spot a redelivered notice.
        messageId: `<${id}@mash-hub>`,
        headers: { 'X-Mash-Notice-Id': id, 'X-Mash-Notice-Kind': kind },
      });
      const rejected = info.rejected ?? [];
      if (rejected.length > 0) return failed('email', this.clock(), 'recipient rejected', false);
      return delivered('email', this.clock(), 'accepted by SMTP server');
    } catch (e) {
      const { detail, retryable } = classify(e);
      return failed('email', this.clock(), detail, retryable);
    }
  }

  close(): void {
    this.transport.close();
  }
}
