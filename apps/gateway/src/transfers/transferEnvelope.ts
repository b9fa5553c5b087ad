import { CompactSign, compactVerify, errors as joseErrors, importJWK, JWK, KeyLike } from 'jose';
import type { Contact } from '@mash/contracts';

/**
 * The hub-to-hub envelope (docs/hub-to-hub.md): a compact JWS (RFC 7515), EdDSA over Ed25519
 * (RFC 8037), `kid` the signing hub's id, `typ` saying what it is so a receipt can never be
 * replayed as a transfer or the other way round.
 */
export const TRANSFER_TYP = 'mash-transfer+jws';
export const RECEIPT_TYP = 'mash-transfer-receipt+jws';

export interface TransferPayload {
  transferId: string;
  fromHub: { id: string; name: string; localAuthorityCode: string };
  toHub: string;
  sentAt: string;
  /** The sending hub's ids, so both ends can find the case again; no content. */
  caseId: string;
  decisionId: string;
  decidedAt: string;
  /** The contact as the sending hub received it, with the referrer made the sending MASH. */
  contact: Contact;
}

export interface TransferReceipt {
  transferId: string;
  hub: string;
  contactId: string;
  receivedAt: string;
  status: 'accepted' | 'already-received';
}

export async function signEnvelope(payload: object, key: KeyLike, kid: string, typ: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(key);
}

/** Why a signature was not accepted, in words for the problem document and the quarantine row. */
export class SignatureRefused extends Error {}

/** The header says who claims to have signed, before anything is trusted. */
export function claimedSigner(jws: string): { kid?: string; typ?: string } {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header ? { kid: header.kid, typ: header.typ } : {};
  } catch {
    return {};
  }
}

/** Verifies a compact JWS against one configured public key and its type; returns the payload. */
export async function verifyEnvelope<T>(jws: string, jwk: JWK, typ: string): Promise<T> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws.trim()))
    throw new SignatureRefused('the body is not a compact JWS (header.payload.signature)');
  let result;
  try {
    const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
    result = await compactVerify(jws.trim(), key, { algorithms: ['EdDSA'] });
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw new SignatureRefused(`signature not valid for the configured key: ${err.code}`);
    throw err;
  }
  if (result.protectedHeader.typ !== typ) throw new SignatureRefused(`typ '${String(result.protectedHeader.typ)}' is not '${typ}'`);
  try {
    return JSON.parse(new TextDecoder().decode(result.payload)) as T;
  } catch {
    throw new SignatureRefused('the signed payload is not JSON');
  }
}
