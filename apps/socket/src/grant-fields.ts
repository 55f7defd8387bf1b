import type { ConnectionRecord } from '@roomgate/shared/store';
import type { RoomGrant } from '@roomgate/shared/tokens';

/** The connection row's fields that come from the token authorising it; a refresh moves all of them. */
export type GrantFields = Pick<ConnectionRecord, 'capabilities' | 'tokenExpiresAt' | 'tokenId' | 'tokenIssuedAt'>;

/**
 * The row's token-derived fields from a verified grant, for `$connect`'s put and a refresh's
 * update alike, so the two cannot drift. Times are epoch seconds (`exp`, `iat`). `tokenId` is
 * left out when the token has no `jti` (the store then removes the old one on a refresh).
 */
export function grantFields(grant: RoomGrant): GrantFields {
  return {
    capabilities: grant.capabilities,
    tokenExpiresAt: grant.expiresAt,
    ...(grant.tokenId !== undefined ? { tokenId: grant.tokenId } : {}),
    tokenIssuedAt: grant.issuedAt,
  };
}
