import { CHECK_AGENCIES, SUBMITTING_AGENCIES } from '@mash/contracts';
import { isProduction } from '@mash/platform';
import type { NoticeAgency } from './channel';

/** A receiver ops registered: the key it is registered under and the address the notifier calls. */
export interface WebhookEndpoint {
  key: string;
  url: string;
}

const AGENCIES = new Set<string>([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES]);
const KEY = /^([a-z][a-z-]*)(?::([A-Za-z0-9]{1,20}))?$/;

/**
 * Where webhook notices go: a registry of agency endpoints that ops configure, never an address a
 * contact names. A contact that asks for a webhook selects the entry of the agency that submitted
 * it (the agency its adapter authenticated as), or that agency's entry for the referrer's
 * organisation (ODS code) where ops registered one. No entry: the notice is recorded with no
 * channel, reason `no-registered-endpoint`, and counted (docs/trust-boundary.md).
 */
export class WebhookRegistry {
  constructor(private readonly entries: ReadonlyMap<string, string>) {}

  /** The organisation's entry if ops registered one, else the agency's; undefined when neither. */
  resolve(agency: NoticeAgency, organisation?: string): WebhookEndpoint | undefined {
    const candidates = organisation && /^[A-Za-z0-9]{1,20}$/.test(organisation) ? [`${agency}:${organisation}`, agency] : [agency];
    for (const key of candidates) {
      const url = this.entries.get(key);
      if (url) return { key, url };
    }
    return undefined;
  }

  /** The address registered under a key now (a stored notice is delivered to the registry's current address). */
  urlOf(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** The agency whose shared secret signs notices to this entry. */
  static agencyOf(key: string): NoticeAgency {
    return key.split(':')[0] as NoticeAgency;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * MASH_WEBHOOK_ENDPOINTS: `agency=url` or `agency:ODSCODE=url`, separated by commas. Every entry is
 * checked at start-up and a bad one stops the notifier with the entry and the rule: https only in
 * production mode, no user or password in the address. Unset: no webhook endpoints (every
 * webhook referrer is recorded as having no channel), which `npm start` avoids by registering its
 * demo health adapter.
 */
export function webhookRegistryFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookRegistry {
  const raw = env.MASH_WEBHOOK_ENDPOINTS ?? '';
  const entries = new Map<string, string>();
  for (const [i, pair] of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .entries()) {
    const at = pair.indexOf('=');
    const where = `MASH_WEBHOOK_ENDPOINTS entry ${i + 1}`;
    if (at <= 0) throw new Error(`${where} must be agency=url or agency:ODSCODE=url`);
    const key = pair.slice(0, at).trim();
    const m = KEY.exec(key);
    if (!m || !AGENCIES.has(m[1]))
      throw new Error(
        `${where} (${key.slice(0, 60)}): the key must be an agency (${[...AGENCIES].join(', ')}), optionally followed by :ODSCODE`,
      );
    if (entries.has(key)) throw new Error(`${where} (${key}): registered twice`);
    let url: URL;
    try {
      url = new URL(pair.slice(at + 1).trim());
    } catch {
      throw new Error(`${where} (${key}): the url is not a valid absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`${where} (${key}): the url must be https (http only outside production mode)`);
    if (url.protocol !== 'https:' && isProduction(env))
      throw new Error(`${where} (${key}): production mode needs an https url: notices are case information`);
    if (url.username || url.password)
      throw new Error(`${where} (${key}): the url must not carry a user or password (notices are signed with MASH_WEBHOOK_SECRETS)`);
    entries.set(key, url.toString());
  }
  return new WebhookRegistry(entries);
}
