import type { Contact } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { shippedPolicy } from '@mash/policy';
import { residenceFlag } from './residence';

const sandwell = shippedPolicy('sandwell');
const living = (postcode: string | undefined, patch: Partial<Contact> = {}): Contact => {
  const c = structuredClone(exampleContact) as Contact;
  c.household = postcode ? { ...c.household, address: { lines: ['1 Example Street'], postcode } } : undefined;
  return { ...c, ...patch };
};

describe('residence at triage', () => {
  it("flags a child living in a neighbour's area with that hub, in the reason too", () => {
    const f = residenceFlag(living('DY1 1HF'), sandwell);
    expect(f?.outOfArea).toEqual({
      postcodeDistrict: 'DY1',
      hub: { id: 'dudley-mash', name: 'Dudley MASH', localAuthorityCode: 'E08000027' },
    });
    expect(f?.reason).toMatch(/outside Sandwell .*DY1.*Dudley MASH \(E08000027\) should hold this contact/);
  });

  it('flags an address no neighbour covers, saying so', () => {
    expect(residenceFlag(living('M1 1AE'), sandwell)?.reason).toMatch(/No neighbouring MASH in the policy covers that district/);
  });

  it('does not flag a child living in the area, a contact with no address, or one about adults only', () => {
    expect(residenceFlag(living('B70 9LF'), sandwell)).toBeUndefined();
    expect(residenceFlag(living(undefined), sandwell)).toBeUndefined();
    const adults = living('DY1 1HF');
    adults.subjects = adults.subjects.map((s) => ({ ...s, kind: 'adult' as const }));
    expect(residenceFlag(adults, sandwell)).toBeUndefined();
  });

  it('does not flag a child who does not live at the address given', () => {
    const c = living('DY1 1HF');
    c.subjects = c.subjects.map((s) => ({ ...s, residentAtAddress: false }));
    expect(residenceFlag(c, sandwell)).toBeUndefined();
  });
});
