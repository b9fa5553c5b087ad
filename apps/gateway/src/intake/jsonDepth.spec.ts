import { checkJsonDepth } from './jsonDepth';

describe('JSON depth, measured on the text', () => {
  it('passes a contact-shaped body and a body exactly at the limit', () => {
    expect(checkJsonDepth(JSON.stringify({ a: { b: [{ c: ['x', { d: 1 }] }] } }), 32)).toEqual({ ok: true });
    expect(checkJsonDepth('['.repeat(32) + ']'.repeat(32), 32)).toEqual({ ok: true });
  });

  it('names where a body nests too deep, as a pointer into it', () => {
    expect(checkJsonDepth('['.repeat(33) + ']'.repeat(33), 32)).toEqual({
      ok: false,
      path: '/' + Array(32).fill('0').join('/'),
      depth: 33,
    });
    const body = `{"narrative":"x","subjects":[{"a":1},${'['.repeat(5)}1${']'.repeat(5)}]}`;
    expect(checkJsonDepth(body, 4)).toEqual({ ok: false, path: '/subjects/1/0/0', depth: 5 });
  });

  it('ignores brackets, quotes and colons inside strings', () => {
    expect(checkJsonDepth(JSON.stringify({ narrative: '[[[[{{{{ "\\" :: ,,' }), 2)).toEqual({ ok: true });
    expect(checkJsonDepth('{"a/b~":{"c":[[', 2)).toEqual({ ok: false, path: '/a~1b~0/c', depth: 3 });
  });

  it('measures 50,000 levels without recursion', () => {
    const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const result = checkJsonDepth(deep, 32);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.path.split('/').length - 1).toBe(32);
  });
});
