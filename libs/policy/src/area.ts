import type { NeighbourHub, Policy } from './types';

/** Where a postcode lies as the policy reads it: its district ("B70") and sector ("B70 9"). */
export interface PostcodePlace {
  district: string;
  sector: string;
}

/** Reads a UK postcode written with or without its space, any case; undefined if it is not one. */
export function postcodePlace(postcode: string): PostcodePlace | undefined {
  const m = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])[A-Z]{2}$/.exec(postcode.trim().toUpperCase());
  return m ? { district: m[1], sector: `${m[1]} ${m[2]}` } : undefined;
}

const covers = (list: string[], place: PostcodePlace) => list.includes(place.sector) || list.includes(place.district);

/** What the hub makes of an address outside its area: the district, and the neighbour covering it if one is listed. */
export interface OutOfArea {
  postcodeDistrict: string;
  hub?: Pick<NeighbourHub, 'id' | 'name' | 'localAuthorityCode'>;
}

/**
 * Is this postcode outside the area the policy covers, and whose is it? Nothing is said about a
 * postcode in the area, one that cannot be read, or when the policy names no area: only a
 * postcode positively outside the listed districts and sectors is flagged.
 */
export function outOfArea(postcode: string | undefined, policy: Pick<Policy, 'area' | 'neighbours'>): OutOfArea | undefined {
  if (!policy.area || !postcode) return undefined;
  const place = postcodePlace(postcode);
  if (!place || covers(policy.area.postcodeDistricts, place)) return undefined;
  // A sector listed by a neighbour is more exact than a district another lists.
  const neighbours = policy.neighbours ?? [];
  const n =
    neighbours.find((x) => x.postcodeDistricts.includes(place.sector)) ??
    neighbours.find((x) => x.postcodeDistricts.includes(place.district));
  return { postcodeDistrict: place.district, ...(n ? { hub: { id: n.id, name: n.name, localAuthorityCode: n.localAuthorityCode } } : {}) };
}
