import { dataKeys } from '@mash/at-rest';
import type { DeadLetter } from '@mash/contracts';

/**
 * A dead letter's raw value is case content: it is sealed with the process's keyring
 * (docs/architecture.md, "Encryption at rest") and opened only by whoever replays or quarantines it.
 */
export function sealedRaw(raw: Buffer | string): Pick<DeadLetter, 'rawValue' | 'rawEncoding'> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const text = bytes.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(bytes);
  return utf8
    ? { rawValue: dataKeys().seal(text), rawEncoding: 'sealed-utf8' }
    : { rawValue: dataKeys().seal(bytes.toString('base64')), rawEncoding: 'sealed-base64' };
}

/** The raw value as it was parked: UTF-8 text, or base64 of bytes that were not UTF-8. */
export function openRaw(letter: Pick<DeadLetter, 'rawValue' | 'rawEncoding'>): { encoding: 'utf8' | 'base64'; value: string } {
  switch (letter.rawEncoding) {
    case 'sealed-utf8':
      return { encoding: 'utf8', value: dataKeys().open(letter.rawValue) };
    case 'sealed-base64':
      return { encoding: 'base64', value: dataKeys().open(letter.rawValue) };
    case 'base64':
      return { encoding: 'base64', value: letter.rawValue };
    default:
      return { encoding: 'utf8', value: letter.rawValue };
  }
}
