import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contact } from '@mash/contracts';
import type { Translation } from './nativeReader';

/**
 * What every adapter's mapping spec needs: its sample files, the contact a valid one becomes, and
 * the "path rule" list an invalid one is refused with. An agency writing its own adapter gets the
 * same harness. Samples named `invalid-*` must be refused; every other one must translate.
 */
export function translationSamples(samplesDir: string, toContact: (native: unknown) => Translation) {
  // Native records are any shape by definition: the translator is what checks them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the translator is the check
  const sample = (name: string): any => JSON.parse(readFileSync(join(samplesDir, name), 'utf8'));
  return {
    sample,
    files: () => readdirSync(samplesDir).filter((f) => f.endsWith('.json')),
    translated(native: unknown): Contact {
      const result = toContact(native);
      if (!result.ok) throw new Error(`expected a contact, got ${JSON.stringify(result.errors)}`);
      return result.contact;
    },
    errorsOf(native: unknown): string[] {
      const result = toContact(native);
      if (result.ok) throw new Error('expected the translation to fail');
      return result.errors.map((e) => `${e.path} ${e.rule}`).sort();
    },
    /** Each sample's expected verdict beside its actual one, for one assertion over the folder. */
    verdicts() {
      return readdirSync(samplesDir)
        .filter((f) => f.endsWith('.json'))
        .map((file) => ({ actual: { file, ok: toContact(sample(file)).ok }, expected: { file, ok: !file.startsWith('invalid-') } }));
    },
  };
}
