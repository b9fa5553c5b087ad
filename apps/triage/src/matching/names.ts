/**
 * Name comparison for person matching: normalisation, Jaro-Winkler for typos, Soundex for
 * phonetic blocking, and a nickname table for the forms children and parents are known by.
 */

export function normaliseName(s: string | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2019.]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

let aBuf = new Uint8Array(64);
let bBuf = new Uint8Array(64);

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const range = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  // Reused buffers: matching compares thousands of names a second and allocation shows.
  if (la > aBuf.length || lb > bBuf.length) {
    aBuf = new Uint8Array(Math.max(la, lb) * 2);
    bBuf = new Uint8Array(Math.max(la, lb) * 2);
  }
  const aMatched = aBuf;
  const bMatched = bBuf;
  aMatched.fill(0, 0, la);
  bMatched.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - range);
    const hi = Math.min(lb - 1, i + range);
    for (let j = lo; j <= hi; j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = bMatched[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let k = 0;
  let halfTranspositions = 0;
  for (let i = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) halfTranspositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - halfTranspositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

const SOUNDEX_CODES: Record<string, string> = {
  b: '1',
  f: '1',
  p: '1',
  v: '1',
  c: '2',
  g: '2',
  j: '2',
  k: '2',
  q: '2',
  s: '2',
  x: '2',
  z: '2',
  d: '3',
  t: '3',
  l: '4',
  m: '5',
  n: '5',
  r: '6',
};

/** American Soundex (h and w do not separate equal codes). */
export function soundex(name: string): string {
  const s = normaliseName(name).replace(/ /g, '');
  if (!s) return '';
  let out = s[0].toUpperCase();
  let last = SOUNDEX_CODES[s[0]] ?? '';
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const ch = s[i];
    const code = SOUNDEX_CODES[ch];
    if (code) {
      if (code !== last) out += code;
      last = code;
    } else if (ch !== 'h' && ch !== 'w') {
      last = '';
    }
  }
  return out.padEnd(4, '0');
}

/** Common English given names and the forms they go by; each group is one identity. */
const NICKNAME_GROUPS = [
  'william bill billy will willie liam',
  'robert bob bobby rob robbie bert',
  'elizabeth liz lizzie beth betty eliza libby',
  'margaret maggie meg peggy',
  'katherine catherine kathryn kate katie kathy cathy kat',
  'james jim jimmy jamie',
  'john jack johnny jon',
  'jonathan jon jonny',
  'michael mike mikey mick',
  'alexander alex alec sandy xander',
  'alexandra alex lexi sasha',
  'thomas tom tommy',
  'daniel dan danny',
  'christopher chris kit',
  'matthew matt',
  'samuel sam sammy',
  'samantha sam sammie',
  'joseph joe joey',
  'benjamin ben benji benny',
  'edward ed eddie ted teddy ned',
  'richard rick ricky dick rich',
  'charlotte lottie charlie',
  'charles charlie chuck chas',
  'rebecca becky becca',
  'jessica jess jessie',
  'victoria vicky tori',
  'abigail abbie abby gail',
  'olivia liv livvy',
  'isabella isabelle izzy bella issy',
  'amelia millie amy',
  'emily em emmy',
  'anthony tony ant',
  'nicholas nick nicky',
  'jennifer jen jenny',
  'susan sue susie',
  'patricia pat patty trish',
  'deborah debbie deb',
  'stephen steven steve stevie',
  'andrew andy drew',
  'david dave davey',
  'peter pete',
  'frederick fred freddie',
  'harold harry hal',
  'henry harry hank',
  'zachary zach zack',
  'nathaniel nathan nat',
  'joshua josh',
  'gabriel gabe',
  'theodore theo ted teddy',
  'eleanor ellie nell nellie',
  'florence flo florrie',
  'mohammed muhammad mohammad mohamed',
  'oluwaseun seun',
  'aleksandra ola',
];

const NICKNAMES = new Map<string, Set<number>>();
NICKNAME_GROUPS.forEach((g, i) => {
  for (const n of g.split(' ')) {
    let s = NICKNAMES.get(n);
    if (!s) NICKNAMES.set(n, (s = new Set()));
    s.add(i);
  }
});

export function isNickname(a: string, b: string): boolean {
  const ga = NICKNAMES.get(a);
  const gb = NICKNAMES.get(b);
  if (!ga || !gb) return false;
  for (const g of ga) if (gb.has(g)) return true;
  return false;
}

export type NameAgreement = 'exact' | 'nickname' | 'part' | 'close' | 'phonetic' | 'different';

/** A normalised name with what comparisons need, worked out once per person, not per comparison. */
export interface PreparedName {
  full: string;
  parts: string[];
  sound: string;
}

export function prepareName(raw: string | undefined): PreparedName {
  const full = normaliseName(raw);
  return { full, parts: full ? full.split(' ') : [], sound: full ? soundex(full) : '' };
}

/** How two prepared names agree, strongest first. */
export function comparePrepared(a: PreparedName, b: PreparedName, kind: 'given' | 'family'): NameAgreement {
  if (a.full === b.full) return 'exact';
  if (kind === 'given' && isNickname(a.parts[0], b.parts[0])) return 'nickname';
  // "Smith-Jones" and "Smith", or "Mary Ann" and "Mary": one name is part of the other.
  if (a.parts.some((x) => x.length > 1 && b.parts.includes(x))) return kind === 'given' && a.parts[0] !== b.parts[0] ? 'close' : 'part';
  if (jaroWinkler(a.full, b.full) >= 0.92) return 'close';
  if (kind === 'family' && a.sound === b.sound) return 'phonetic';
  return 'different';
}

export function compareNames(a: string, b: string, kind: 'given' | 'family'): NameAgreement {
  return comparePrepared(prepareName(a), prepareName(b), kind);
}
