import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRoomAllowed, isValidRoomId, matchesRoom, parseRoomPattern, roomPatternProblem } from '../../../src/auth/room-pattern.ts';

const roomIdChars = [...'ABCXYZabcxyz0189_.:-'];
const roomIdArb = fc.string({ unit: fc.constantFrom(...roomIdChars), minLength: 1, maxLength: 128 });

describe('isValidRoomId', () => {
  it.each(['a', 'room-1', 'org:42.chat_general', 'x'.repeat(128), 'A-Z_a.z:0-9'])('accepts %j', (id) => {
    expect(isValidRoomId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['129 chars', 'x'.repeat(129)],
    ['hash', 'room#1'],
    ['slash', 'a/b'],
    ['space', 'a b'],
    ['newline at end', 'room\n'],
    ['star', 'room*'],
    ['unicode', 'räum'],
    ['not a string', 42],
  ])('refuses %s', (_name, id) => {
    expect(isValidRoomId(id)).toBe(false);
  });
});

describe('parseRoomPattern', () => {
  it('parses the three forms', () => {
    expect(parseRoomPattern('*')).toEqual({ kind: 'any', source: '*' });
    expect(parseRoomPattern('chat-*')).toEqual({ kind: 'prefix', source: 'chat-*', prefix: 'chat-' });
    expect(parseRoomPattern('lobby')).toEqual({ kind: 'exact', source: 'lobby', roomId: 'lobby' });
  });

  it.each([
    ['', 'must not be empty'],
    ['**', 'only once'],
    ['a*b', 'only once'],
    ['*a', 'only once'],
    ['a**', 'only once'],
    ['.*', undefined],
    ['(a|b)', 'must be'],
    ['a/b*', 'prefix before'],
    ['room#1', 'must be'],
    ['x'.repeat(129), 'must be'],
  ])('%j → %s', (source, problem) => {
    if (problem === undefined) {
      expect(roomPatternProblem(source)).toBeUndefined();
    } else {
      expect(roomPatternProblem(source)).toContain(problem);
      expect(() => parseRoomPattern(source)).toThrow(TypeError);
    }
  });

  it('refuses non-strings', () => {
    expect(roomPatternProblem(undefined)).toBe('a room pattern must be a string');
    expect(roomPatternProblem(['*'])).toBe('a room pattern must be a string');
  });
});

describe('matchesRoom', () => {
  it.each([
    ['*', 'anything', true],
    ['chat-*', 'chat-1', true],
    ['chat-*', 'chat-', true],
    ['chat-*', 'chat', false],
    ['chat-*', 'xchat-1', false],
    ['chat-*', 'CHAT-1', false],
    ['lobby', 'lobby', true],
    ['lobby', 'lobby2', false],
    ['lobby', 'lobb', false],
    // regex metacharacters are literal: '.' is a valid room-id char, not "any char"
    ['a.b', 'axb', false],
    ['a.*', 'axb', false],
    ['a.*', 'a.b', true],
  ])('%j vs %j → %s', (source, roomId, expected) => {
    expect(matchesRoom(parseRoomPattern(source), roomId)).toBe(expected);
  });

  it('a prefix pattern matches exactly the room ids that start with the prefix', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...roomIdChars), maxLength: 20 }), roomIdArb, (prefix, roomId) => {
        expect(matchesRoom(parseRoomPattern(`${prefix}*`), roomId)).toBe(roomId.startsWith(prefix));
      }),
    );
  });

  it('an exact pattern matches only itself', () => {
    fc.assert(
      fc.property(roomIdArb, roomIdArb, (a, b) => {
        expect(matchesRoom(parseRoomPattern(a), b)).toBe(a === b);
      }),
    );
  });
});

describe('isRoomAllowed', () => {
  const patterns = ['chat-*', 'lobby'].map(parseRoomPattern);

  it('allows a room any pattern matches', () => {
    expect(isRoomAllowed(patterns, 'chat-9')).toBe(true);
    expect(isRoomAllowed(patterns, 'lobby')).toBe(true);
    expect(isRoomAllowed(patterns, 'admin')).toBe(false);
  });

  it('allows nothing with no patterns', () => {
    expect(isRoomAllowed([], 'lobby')).toBe(false);
  });

  it('never allows an invalid room id, even under "*"', () => {
    const any = [parseRoomPattern('*')];
    expect(isRoomAllowed(any, 'a/b')).toBe(false);
    expect(isRoomAllowed(any, '')).toBe(false);
    expect(isRoomAllowed([parseRoomPattern('chat-*')], 'chat-#1')).toBe(false);
  });
});
