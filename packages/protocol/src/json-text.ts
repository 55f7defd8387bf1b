/**
 * Checks on JSON text and JSON values that never recurse, so hostile input cannot overflow the
 * stack of the code that inspects it. No Node APIs: the client runs this in browsers.
 */

/** UTF-8 length of `text` in bytes (what API Gateway counts), without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i += 1;
    } else bytes += 3; // includes a lone surrogate, which encoders replace with U+FFFD (3 bytes)
  }
  return bytes;
}

/**
 * True when the JSON text nests arrays/objects deeper than `limit`. One pass that skips string
 * contents; brackets in malformed JSON count as well, so this is safe to run before parsing.
 */
export function textNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * True when the value nests arrays/objects deeper than `limit` (a scalar is 0 levels, `[]` is 1).
 * Iterative, and it stops at `limit + 1` levels, so a cyclic value counts as too deep instead of
 * looping.
 */
export function valueNestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Whether a parsed value carries a `__proto__` member or a `constructor` member holding a
 * `prototype` — the shapes that pollute prototypes in receivers that merge objects naively (the
 * same rule secure-json-parse applies to the HTTP APIs' bodies). Iterative, like the depth check.
 */
export function valueHasPrototypeMember(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    if (!Array.isArray(current)) {
      if (Object.prototype.hasOwnProperty.call(current, '__proto__')) return true;
      const ctor = Object.prototype.hasOwnProperty.call(current, 'constructor') ? (current as { constructor: unknown }).constructor : undefined;
      if (typeof ctor === 'object' && ctor !== null && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return true;
    }
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push(child);
  }
  return false;
}

/** The longest raw key or string value the id scan decodes; longer ones cannot be a valid id. */
const MAX_RAW_TOKEN = 6 * 64 + 2;

/**
 * Reads the top-level `"id"` member of a JSON object text without parsing the whole text, for
 * frames refused before they are parsed (too large, too deep, not JSON). Returns the raw value
 * (a string or a number) of the last top-level `id` — the one JSON.parse would keep — or
 * undefined. Linear in the text; never recurses.
 */
export function peekTopLevelId(text: string): string | number | undefined {
  let depth = 0;
  let found: string | number | undefined;
  let i = 0;
  // At depth 1, a string directly after `{` or `,` is a key.
  let expectKey = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (end === -1) return found;
      if (depth === 1 && expectKey && end - i <= MAX_RAW_TOKEN && decodeString(text.slice(i, end + 1)) === 'id') {
        const value = readScalarAfterColon(text, end + 1);
        if (value !== undefined) found = value;
      }
      expectKey = false;
      i = end + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth += 1;
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    } else if (c === 0x2c) {
      expectKey = depth === 1;
    }
    i += 1;
  }
  return found;
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 1;
    else if (c === 0x22) return i;
  }
  return -1;
}

function decodeString(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The string or number value after `:` at `from` (whitespace allowed), or undefined. */
function readScalarAfterColon(text: string, from: number): string | number | undefined {
  let i = skipSpace(text, from);
  if (text.charCodeAt(i) !== 0x3a) return undefined;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x22) {
    const end = stringEnd(text, i);
    return end !== -1 && end - i <= MAX_RAW_TOKEN ? decodeString(text.slice(i, end + 1)) : undefined;
  }
  NUMBER.lastIndex = i;
  const match = NUMBER.exec(text);
  return match ? Number(match[0]) : undefined;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
  return i;
}
