import { describe, expect, it } from 'vitest';
import { KeyMalformedError } from '@roomgate/shared/errors';
import { API_KEY_MAX_LENGTH, findApiKey, hashApiKey, newApiKey, parseApiKeysSecret } from '../../../../src/http/auth/api-keys.ts';

const KEY_A = newApiKey();
const KEY_B = newApiKey();
const secret = (keys: unknown) => JSON.stringify({ keys });
const entries = parseApiKeysSecret(
  secret([
    { id: 'a', sha256: hashApiKey(KEY_A), rooms: ['chat-*'] },
    { id: 'b', sha256: hashApiKey(KEY_B).toUpperCase(), rooms: ['lobby', 'x'] },
  ]),
);

describe('newApiKey', () => {
  it('makes distinct, prefixed, 256-bit keys', () => {
    expect(KEY_A).toMatch(/^rgk_[A-Za-z0-9_-]{43}$/);
    expect(KEY_A).not.toBe(KEY_B);
  });
});

describe('findApiKey', () => {
  it('finds the entry whose hash matches (hex case does not matter)', () => {
    expect(findApiKey(entries, KEY_A)?.id).toBe('a');
    expect(findApiKey(entries, KEY_B)?.id).toBe('b');
  });

  it.each([
    ['unknown key', newApiKey()],
    ['the hash itself', hashApiKey(KEY_A)],
    ['a prefix of a key', KEY_A.slice(0, -1)],
    ['too short', 'rgk_short'],
    ['too long', 'k'.repeat(API_KEY_MAX_LENGTH + 1)],
    ['with a space', `${KEY_A} `],
    ['non-ASCII', `${KEY_A}é`],
  ])('%s → undefined', (_name, presented) => {
    expect(findApiKey(entries, presented)).toBeUndefined();
  });
});

describe('parseApiKeysSecret', () => {
  it('keeps the rooms as parsed patterns', () => {
    expect(entries[1]?.rooms.map((p) => p.kind)).toEqual(['exact', 'exact']);
  });

  const hash = hashApiKey('x'.repeat(20));
  it.each([
    ['not JSON', '{', 'not JSON'],
    ['no keys array', '{"keys": {}}', 'no "keys" array'],
    ['bad id', secret([{ id: 'a b', sha256: hash, rooms: ['*'] }]), 'id must match'],
    [
      'duplicate id',
      secret([
        { id: 'a', sha256: hash, rooms: ['*'] },
        { id: 'a', sha256: hashApiKey('y'.repeat(20)), rooms: ['*'] },
      ]),
      'duplicate id',
    ],
    ['plain key instead of hash', secret([{ id: 'a', sha256: 'rgk_abc', rooms: ['*'] }]), 'sha256 must be 64 hex'],
    [
      'same hash twice',
      secret([
        { id: 'a', sha256: hash, rooms: ['*'] },
        { id: 'b', sha256: hash.toUpperCase(), rooms: ['*'] },
      ]),
      'same hash',
    ],
    ['no rooms', secret([{ id: 'a', sha256: hash, rooms: [] }]), 'rooms must be a non-empty array'],
    ['regex room pattern', secret([{ id: 'a', sha256: hash, rooms: ['^chat.*$'] }]), 'room pattern'],
    ['null entry', secret([null]), 'api key #0'],
  ])('%s → KeyMalformedError', (_name, json, message) => {
    expect(() => parseApiKeysSecret(json)).toThrow(KeyMalformedError);
    expect(() => parseApiKeysSecret(json)).toThrow(message);
  });

  it('never puts a hash in an error message', () => {
    try {
      parseApiKeysSecret(secret([{ id: 'a', sha256: hash, rooms: ['bad pattern'] }]));
    } catch (error) {
      expect((error as Error).message).not.toContain(hash);
    }
  });
});
