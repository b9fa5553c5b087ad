import type { Contact } from '@mash/contracts';
import { TEST_TOKENS, TestHub } from '../support/hub';

/** Shared by the triage end-to-end files: submitting through the real front door. */
export async function submit(
  hub: TestHub,
  agency: 'police' | 'health' | 'education' | 'contact-centre',
  contact: Contact,
): Promise<string> {
  const res = await fetch(`${hub.gatewayUrl}/v1/agencies/${agency}/contacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS[agency]}` },
    body: JSON.stringify(contact),
  });
  const body = (await res.json()) as { contactId?: string };
  if (res.status !== 202 || !body.contactId) throw new Error(`contact refused: ${res.status} ${JSON.stringify(body)}`);
  return body.contactId;
}

let n = 0;
/** A unique agency reference per submission, so the gateway never folds two tests' contacts together. */
export const ref = (hub: TestHub, prefix: string) => `${prefix}-${hub.runId}-${++n}`;
