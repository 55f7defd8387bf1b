import { describe, expect, it } from 'vitest';
import { tokenKid } from '../../../src/tokens/token-kid.ts';

const b64 = (value: string) => Buffer.from(value).toString('base64url');

describe('tokenKid (refusal log lines)', () => {
  it('reads the kid of a JWS header without verifying anything', () => {
    expect(tokenKid(`${b64('{"alg":"ES256","kid":"2026-01-k1"}')}.e30.c2ln`)).toBe('2026-01-k1');
  });

  it.each([
    ['no kid', `${b64('{"alg":"ES256"}')}.e30.x`],
    ['a kid that is not a string', `${b64('{"kid":7}')}.e30.x`],
    ['a kid past 128 characters', `${b64(JSON.stringify({ kid: 'k'.repeat(129) }))}.e30.x`],
    ['a kid with spaces', `${b64('{"kid":"a b"}')}.e30.x`],
    ['a header that is not base64url', '!!!.e30.x'],
    ['a header that is not JSON', `${b64('nope')}.e30.x`],
    ['a header of JSON null', `${b64('null')}.e30.x`],
    ['an API key', 'rgk_AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['an empty string', ''],
  ])('undefined for %s', (_name, token) => {
    expect(tokenKid(token)).toBeUndefined();
  });
});
