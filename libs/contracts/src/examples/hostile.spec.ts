import { validateContact } from '../validation';
import { hostileInputs, HostileInput } from './hostile';

/** What the gateway does with a body: JSON text is parsed (a parse failure is a rejection), objects go over the wire as JSON. */
function verdict(input: HostileInput): boolean {
  let value: unknown;
  if (typeof input.body === 'string') {
    try {
      value = JSON.parse(input.body);
    } catch {
      return false;
    }
  } else {
    value = JSON.parse(JSON.stringify(input.body));
  }
  return validateContact(value).ok;
}

describe('hostile contact bodies', () => {
  const inputs = hostileInputs(1500, 20261121);

  it('are at least 1,000, deterministic for a seed and different for another', () => {
    expect(inputs).toHaveLength(1500);
    expect(JSON.stringify(hostileInputs(200, 20261121))).toBe(JSON.stringify(inputs.slice(0, 200)));
    expect(JSON.stringify(hostileInputs(200, 7))).not.toBe(JSON.stringify(inputs.slice(0, 200)));
  });

  it('mix accepted and refused bodies, objects and raw text', () => {
    const accepted = inputs.filter((i) => i.expectValid).length;
    expect(accepted).toBeGreaterThan(300);
    expect(inputs.length - accepted).toBeGreaterThan(700);
    expect(inputs.filter((i) => typeof i.body === 'string').length).toBeGreaterThan(100);
  });

  it('are each accepted or refused as expected, without the validator throwing', () => {
    const wrong: string[] = [];
    for (const input of inputs) {
      let ok: boolean | undefined;
      expect(() => (ok = verdict(input))).not.toThrow();
      if (ok !== input.expectValid) wrong.push(`${input.expectValid ? 'refused' : 'accepted'}: ${input.label}`);
    }
    expect(wrong).toEqual([]);
  });

  it('leave Object.prototype untouched after every prototype-pollution attempt', () => {
    for (const input of inputs) verdict(input);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('include names in non-Latin scripts that are accepted', () => {
    // Code-point ranges of whole scripts, combining marks included on purpose.
    const nonLatin = inputs.filter(
      // eslint-disable-next-line no-misleading-character-class
      (i) => i.expectValid && /[\u0600-\u06FF\u4E00-\u9FFF\u0400-\u04FF\u0900-\u09FF]/.test(JSON.stringify(i.body)),
    );
    expect(nonLatin.length).toBeGreaterThan(50);
  });

  it('are JSON-safe when they are objects, so what is sent is what was judged', () => {
    for (const input of inputs.filter((i) => typeof i.body === 'object')) {
      expect(JSON.parse(JSON.stringify(input.body))).toEqual(input.body);
    }
  });

  it('stay under 100 kB when valid, so a default body limit never refuses a good contact', () => {
    const largest = Math.max(
      ...inputs.filter((i) => i.expectValid).map((i) => Buffer.byteLength(typeof i.body === 'string' ? i.body : JSON.stringify(i.body))),
    );
    expect(largest).toBeLessThan(100 * 1024);
  });

  it('cover every kind of case in the first pass, including the named attacks', () => {
    const labels = inputs.map((i) => i.label).join('\n');
    for (const expected of [
      'prototype pollution',
      'nesting',
      'broken JSON',
      'unprintable',
      'injection-looking text is text',
      'names in non-Latin scripts',
      'wrong type',
      'missing ',
      'characters',
    ]) {
      expect(labels).toContain(expected);
    }
  });
});
