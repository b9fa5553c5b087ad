/**
 * National identifier checks. A typo in an NHS number or UPN would link a child to another
 * child's records, so check digits are enforced at the front door, not trusted.
 */

/**
 * The check digit for the first nine digits of an NHS number (weights 10..2; check = 11 - (sum mod 11);
 * 11 -> 0), or undefined when it would be 10: those nine digits are never issued.
 */
export function nhsNumberCheckDigit(first9: string): number | undefined {
  if (!/^\d{9}$/.test(first9)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

/** NHS number: 10 digits, the last a valid check digit for the first nine. */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  const check = nhsNumberCheckDigit(value.slice(0, 9));
  return check !== undefined && check === Number(value[9]);
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

function upnCharValue(ch: string): number | undefined {
  if (/\d/.test(ch)) return Number(ch);
  const i = UPN_LETTERS.indexOf(ch);
  return i >= 0 ? i : undefined;
}

/** The check letter for the 12 characters after it (CBDS P1: sum of value x position for positions 2..13, mod 23). */
export function upnCheckLetter(body12: string): string | undefined {
  if (body12.length !== 12) return undefined;
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const v = upnCharValue(body12[i]);
    if (v === undefined) return undefined;
    sum += v * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
}

/**
 * UPN: 13 characters, check letter first, then LA (3) + establishment (4) + year (2) + serial (3).
 * A temporary UPN ends in a letter in place of the last serial digit.
 */
export function isValidUpn(value: string): boolean {
  if (!/^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/.test(value)) return false;
  return upnCheckLetter(value.slice(1)) === value[0];
}
