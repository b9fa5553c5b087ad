import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outOfArea, parsePolicy, PolicyError, postcodePlace } from '.';
import { policiesDir, shippedPolicy } from './testing';

const raw = (locality: string) => JSON.parse(readFileSync(join(policiesDir, `${locality}.json`), 'utf8'));

describe('the area a hub covers', () => {
  const sandwell = shippedPolicy('sandwell');

  it('reads a postcode with or without its space into district and sector', () => {
    expect(postcodePlace('b70 9lf')).toEqual({ district: 'B70', sector: 'B70 9' });
    expect(postcodePlace('SW1A1AA')).toEqual({ district: 'SW1A', sector: 'SW1A 1' });
    expect(postcodePlace('EXAMPLETON')).toBeUndefined();
  });

  it('says nothing of a child living in the area, or of an address it cannot read', () => {
    expect(outOfArea('B70 9LF', sandwell)).toBeUndefined();
    expect(outOfArea('DY4 7AA', sandwell)).toBeUndefined();
    expect(outOfArea('not a postcode', sandwell)).toBeUndefined();
    expect(outOfArea(undefined, sandwell)).toBeUndefined();
  });

  it("flags a child living in a neighbour's area with the hub that should hold it", () => {
    expect(outOfArea('DY1 1HF', sandwell)).toEqual({
      postcodeDistrict: 'DY1',
      hub: { id: 'dudley-mash', name: 'Dudley MASH', localAuthorityCode: 'E08000027' },
    });
    expect(outOfArea('ws1 1tp', sandwell)?.hub?.id).toBe('walsall-mash');
  });

  it('flags an address outside the area that no neighbour covers, naming no hub', () => {
    expect(outOfArea('M1 1AE', sandwell)).toEqual({ postcodeDistrict: 'M1' });
  });

  it('lets a sector narrow a district two areas share', () => {
    const p = {
      area: { hubId: 'a-mash', name: 'A', localAuthorityCode: 'E08000001', postcodeDistricts: ['B70', 'B71 2'] },
      neighbours: [
        { id: 'b-mash', name: 'B', localAuthorityCode: 'E08000002', postcodeDistricts: ['B71'] },
        { id: 'c-mash', name: 'C', localAuthorityCode: 'E08000003', postcodeDistricts: ['B71 3'] },
      ],
    };
    expect(outOfArea('B71 2AA', p)).toBeUndefined();
    expect(outOfArea('B71 3AA', p)?.hub?.id).toBe('c-mash');
    expect(outOfArea('B71 4AA', p)?.hub?.id).toBe('b-mash');
  });

  it('flags nothing when the policy names no area (the London template)', () => {
    expect(outOfArea('DY1 1HF', shippedPolicy('london'))).toBeUndefined();
  });

  it('refuses neighbours that repeat this hub, a key with no endpoint, and a malformed district, naming each', () => {
    const p = raw('sandwell');
    p.neighbours[0].id = 'sandwell-mash';
    p.neighbours[1].publicKeyJwk = { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) };
    p.neighbours[2].postcodeDistricts = ['b1'];
    let err: PolicyError | undefined;
    try {
      parsePolicy(p, 'test');
    } catch (e) {
      err = e as PolicyError;
    }
    expect(err?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/neighbours/2/postcodeDistricts/0', rule: 'pattern' })]),
    );
    p.neighbours[2].postcodeDistricts = ['B1'];
    try {
      parsePolicy(p, 'test');
      err = undefined;
    } catch (e) {
      err = e as PolicyError;
    }
    expect(err?.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/neighbours/0/id', rule: 'unique-hub-id' }),
        expect.objectContaining({ path: '/neighbours/1/endpoint', rule: 'endpoint-with-key' }),
      ]),
    );
  });
});
