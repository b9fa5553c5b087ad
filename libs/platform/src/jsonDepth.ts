/**
 * How deep a JSON text nests, measured on the text before it is parsed. Parsing a 50,000-deep
 * body is cheap, but everything after it (schema validation, serialising, logging a path) recurses
 * and would overflow the stack; a contact never nests more than six levels, so anything past
 * MASH_MAX_JSON_DEPTH is refused by name before any of that runs. One linear pass, no recursion;
 * broken JSON is measured as far as it goes and left for JSON.parse to name.
 */
export const MAX_JSON_DEPTH = Number(process.env.MASH_MAX_JSON_DEPTH ?? 32);

export type DepthCheck = { ok: true } | { ok: false; path: string; depth: number };

export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH): DepthCheck {
  // Per open container: its kind, and the key or index we are inside (for the error's path).
  const stack: { array: boolean; at: string | number }[] = [];
  let inString = false;
  let stringStart = 0;
  let lastString = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) {
        inString = false;
        lastString = text.slice(stringStart, Math.min(i, stringStart + 100));
      }
      continue;
    }
    switch (c) {
      case 0x22:
        inString = true;
        stringStart = i + 1;
        break;
      case 0x3a /* : */: {
        const top = stack[stack.length - 1];
        if (top && !top.array) top.at = lastString;
        break;
      }
      case 0x2c /* , */: {
        const top = stack[stack.length - 1];
        if (top?.array) top.at = (top.at as number) + 1;
        break;
      }
      case 0x7b /* { */:
      case 0x5b /* [ */:
        if (stack.length >= max) return { ok: false, path: pointer(stack), depth: stack.length + 1 };
        stack.push({ array: c === 0x5b, at: c === 0x5b ? 0 : '' });
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        stack.pop();
        break;
    }
  }
  return { ok: true };
}

function pointer(stack: { at: string | number }[]): string {
  // The container that went too deep, as a JSON pointer (escaped per RFC 6901).
  return stack.map((f) => `/${String(f.at).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') || '/';
}
