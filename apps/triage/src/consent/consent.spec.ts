import { decideConsent, ConsentOverrideError } from '.';
import { shippedPolicy } from '@mash/policy';

const london = shippedPolicy('london');

describe('decideConsent', () => {
  it('consent given: basis consent, no limits', () => {
    expect(decideConsent({ status: 'given' }, london)).toMatchObject({ lawfulBasis: 'consent', limited: false });
    expect(decideConsent({ status: 'given' }, london).allowed).toBeUndefined();
  });
  it("consent refused: limited to the policy's refused grant, with the stated basis", () => {
    const d = decideConsent({ status: 'refused', reason: 'Mother declined', lawfulBasis: 'statutory-function' }, london);
    expect(d).toMatchObject({ lawfulBasis: 'statutory-function', limited: true, allowed: london.consentLimits.refused });
    expect(d.allowed).toEqual({ police: ['identity', 'address', 'involvement'], health: ['identity'] });
    expect(d.reasons[0]).toMatch(/refused \(Mother declined\).*police, health.*london-2025.1/);
  });
  it("consent not sought: the not-sought grant, and the referrer's stated basis is recorded", () => {
    const d = decideConsent(
      { status: 'not-sought', reason: 'Seeking consent may place the child at risk', lawfulBasis: 'risk-of-significant-harm' },
      london,
    );
    expect(d).toMatchObject({ lawfulBasis: 'risk-of-significant-harm', limited: true, allowed: london.consentLimits.notSought });
  });
  it('a contradictory stated basis of consent falls back to statutory function', () => {
    expect(decideConsent({ status: 'refused', reason: 'declined', lawfulBasis: 'consent' }, london).lawfulBasis).toBe('statutory-function');
  });
  it("L6105-6108: a manager's section 47 override lifts the limits and is recorded", () => {
    const override = {
      by: 'A Manager (MASH team manager)',
      reason: 'Strategy discussion agreed s47 enquiry',
      basis: 'section-47' as const,
    };
    const d = decideConsent({ status: 'refused', reason: 'declined', lawfulBasis: 'statutory-function' }, london, override);
    expect(d).toMatchObject({ lawfulBasis: 'section-47', limited: false, override });
    expect(d.reasons[0]).toContain('A Manager');
  });
  it('an override must name the manager, give a reason and a lawful basis', () => {
    const c = { status: 'refused' as const, reason: 'declined', lawfulBasis: 'statutory-function' as const };
    expect(() => decideConsent(c, london, { by: ' ', reason: 'risk of serious harm', basis: 'section-47' })).toThrow(/override.by/);
    expect(() => decideConsent(c, london, { by: 'M', reason: 'because', basis: 'section-47' })).toThrow(ConsentOverrideError);
    expect(() => decideConsent(c, london, { by: 'M', reason: 'risk of serious harm', basis: 'consent' as never })).toThrow(
      /override.basis.*rule: enum/,
    );
  });
});
