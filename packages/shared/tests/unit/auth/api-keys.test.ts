import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { API_KEY_ID_PATTERN, apiKeysSecretName, hashApiKey, newApiKey } from '../../../src/auth/api-keys.ts';

describe('api keys', () => {
  it('mints distinct, prefixed, 256-bit keys', () => {
    const [a, b] = [newApiKey(), newApiKey()];
    expect(a).toMatch(/^rgk_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('hashes to the hex SHA-256 the api-keys secret stores', () => {
    expect(hashApiKey('rgk_example')).toBe(createHash('sha256').update('rgk_example').digest('hex'));
    expect(hashApiKey('rgk_example')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the secret per stage and accepts caller-like ids', () => {
    expect(apiKeysSecretName('prod')).toBe('roomgate/prod/api-keys');
    expect(API_KEY_ID_PATTERN.test('chat-backend@eu.1')).toBe(true);
    expect(API_KEY_ID_PATTERN.test('has space')).toBe(false);
  });
});
