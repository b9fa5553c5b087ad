import type { CaseRated, Contact } from '@mash/contracts';
import { outOfArea, Policy } from '@mash/policy';

export interface ResidenceFlag {
  outOfArea: NonNullable<CaseRated['outOfArea']>;
  reason: string;
}

/**
 * A child living at an address outside the area the policy covers belongs to another authority's
 * MASH: flagged at triage with the hub that should hold it, so the decision maker does not have to
 * notice the postcode (docs/hub-to-hub.md). The household address is where the contact says the
 * children live; a contact about no child at that address is not flagged.
 */
export function residenceFlag(contact: Contact, policy: Pick<Policy, 'area' | 'neighbours'>): ResidenceFlag | undefined {
  const childThere = contact.subjects.some((s) => s.kind !== 'adult' && s.residentAtAddress !== false);
  if (!childThere || !policy.area) return undefined;
  const found = outOfArea(contact.household?.address?.postcode, policy);
  if (!found) return undefined;
  const where = `The child lives outside ${policy.area.name} (postcode district ${found.postcodeDistrict}).`;
  const reason = found.hub
    ? `${where} ${found.hub.name} (${found.hub.localAuthorityCode}) should hold this contact: decide 'transfer' to hand it over.`
    : `${where} No neighbouring MASH in the policy covers that district: find the authority and transfer by its own route.`;
  return { outOfArea: found, reason };
}
