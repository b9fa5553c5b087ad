import { generateKeyPairSync } from 'node:crypto';
import { claimedSigner, RECEIPT_TYP, signEnvelope, SignatureRefused, TRANSFER_TYP, verifyEnvelope } from './transferEnvelope';

describe('hub-to-hub envelope', () => {
  const mine = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const jwk = (k: typeof mine) => k.publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string };

  it('verifies what the configured key signed, and names the signer before trusting it', async () => {
    const jws = await signEnvelope({ transferId: 'TR-1' }, mine.privateKey, 'sandwell-mash', TRANSFER_TYP);
    expect(claimedSigner(jws)).toEqual({ kid: 'sandwell-mash', typ: TRANSFER_TYP });
    await expect(verifyEnvelope(jws, jwk(mine), TRANSFER_TYP)).resolves.toEqual({ transferId: 'TR-1' });
  });

  it("refuses another key's signature, a changed payload, a receipt offered as a transfer, and a body that is no JWS", async () => {
    const jws = await signEnvelope({ transferId: 'TR-1' }, mine.privateKey, 'sandwell-mash', TRANSFER_TYP);
    await expect(verifyEnvelope(jws, jwk(other), TRANSFER_TYP)).rejects.toThrow(/signature not valid for the configured key/);
    const [h, , sig] = jws.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ transferId: 'TR-2' })).toString('base64url')}.${sig}`;
    await expect(verifyEnvelope(tampered, jwk(mine), TRANSFER_TYP)).rejects.toBeInstanceOf(SignatureRefused);
    const receipt = await signEnvelope({ transferId: 'TR-1' }, mine.privateKey, 'sandwell-mash', RECEIPT_TYP);
    await expect(verifyEnvelope(receipt, jwk(mine), TRANSFER_TYP)).rejects.toThrow(
      /typ 'mash-transfer-receipt\+jws' is not 'mash-transfer\+jws'/,
    );
    await expect(verifyEnvelope('{"transferId":"TR-1"}', jwk(mine), TRANSFER_TYP)).rejects.toThrow(/not a compact JWS/);
  });
});
