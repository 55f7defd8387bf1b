import { describe, expect, it } from 'vitest';
import type { RoomGrant } from '@roomgate/shared/tokens';
import { grantFields } from '../../src/grant-fields.ts';

const grant: RoomGrant = { roomId: 'r', userId: 'u', capabilities: ['subscribe'], issuedAt: 1_000, expiresAt: 1_300, tokenId: 'j1', kid: 'k', legacy: false };

describe('grantFields', () => {
  it("copies the token's capabilities, exp, jti and iat onto the row's names, and nothing else", () => {
    expect(grantFields(grant)).toStrictEqual({ capabilities: ['subscribe'], tokenExpiresAt: 1_300, tokenId: 'j1', tokenIssuedAt: 1_000 });
  });

  it('leaves tokenId out (not undefined) for a token without jti', () => {
    const { tokenId: _omitted, ...withoutJti } = grant;
    expect(Object.keys(grantFields(withoutJti))).not.toContain('tokenId');
  });
});
