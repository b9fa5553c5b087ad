import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { importPKCS8, KeyLike } from 'jose';
import { loadPolicyFromEnv, NeighbourHub, Policy, PolicyArea } from '@mash/policy';

/** A neighbour this hub can exchange transfers with: listed in the policy with an endpoint and a key. */
export type LinkedNeighbour = NeighbourHub & Required<Pick<NeighbourHub, 'endpoint' | 'publicKeyJwk'>>;

/**
 * Who this hub is on the hub-to-hub interface and whom it trusts (docs/hub-to-hub.md): its id and
 * area from the locality policy, its Ed25519 signing key from MASH_HUB_SIGNING_KEY (PKCS#8 PEM) or
 * MASH_HUB_SIGNING_KEY_FILE, and each neighbour's public key from the policy. The private key is a
 * secret, so it never sits in the reviewed policy file; the public keys are data the partnership
 * signs off with the neighbours' endpoints.
 */
@Injectable()
export class HubKeys {
  private readonly policy: Policy = loadPolicyFromEnv();
  private signing?: Promise<KeyLike | undefined>;

  get area(): PolicyArea | undefined {
    return this.policy.area;
  }

  /** The neighbour by id if transfers can go to it (endpoint and key configured), else why not. */
  neighbour(id: string): { ok: true; hub: LinkedNeighbour } | { ok: false; reason: string } {
    const n = (this.policy.neighbours ?? []).find((x) => x.id === id);
    if (!n) return { ok: false, reason: `'${id.slice(0, 63)}' is not a neighbouring MASH in the locality policy ${this.policy.version}` };
    if (!n.endpoint || !n.publicKeyJwk)
      return {
        ok: false,
        reason: `${n.name} has no hub-to-hub endpoint and key in the locality policy: transfer by the partnership's own route`,
      };
    return { ok: true, hub: n as LinkedNeighbour };
  }

  /** This hub's signing key, or undefined when none is configured (then nothing is sent or acknowledged). */
  signingKey(env: NodeJS.ProcessEnv = process.env): Promise<KeyLike | undefined> {
    this.signing ??= (async () => {
      const pem =
        env.MASH_HUB_SIGNING_KEY?.trim() || (env.MASH_HUB_SIGNING_KEY_FILE ? readFileSync(env.MASH_HUB_SIGNING_KEY_FILE, 'utf8') : '');
      if (!pem) return undefined;
      return importPKCS8(pem, 'EdDSA');
    })();
    return this.signing;
  }
}
