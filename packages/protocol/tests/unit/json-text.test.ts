import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peekTopLevelId, utf8ByteLength, valueNestsDeeperThan } from '../../src/index.ts';

describe('utf8ByteLength', () => {
  it('agrees with TextEncoder on any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).byteLength);
      }),
      { numRuns: 500, seed: 0x7e47 },
    );
    expect(utf8ByteLength('\ud800x')).toBe(4);
  });
});

describe('valueNestsDeeperThan', () => {
  it.each([
    [1, 0, false],
    [[], 0, true],
    [[], 1, false],
    [{ a: [{}] }, 2, true],
    [{ a: [{}] }, 3, false],
  ])('%j deeper than %i: %s', (value, limit, expected) => {
    expect(valueNestsDeeperThan(value, limit)).toBe(expected);
  });
});

describe('peekTopLevelId', () => {
  it('agrees with JSON.parse on any JSON object text', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constant('id'), fc.string({ maxLength: 4 })), fc.jsonValue({ maxDepth: 3 })), (object) => {
        const text = JSON.stringify(object);
        const id = (JSON.parse(text) as { id?: unknown }).id;
        const expected = typeof id === 'string' || typeof id === 'number' ? id : undefined;
        expect(peekTopLevelId(text)).toEqual(expected);
      }),
      { numRuns: 2000, seed: 0x1d },
    );
  });
});
