import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The access table's key scheme (apps/socket/resources/access-table.yml): `pk` + `sk`, both
 * strings. Room, user and token ids never contain `#` (`@roomgate/protocol/ids`), so the
 * prefixes below cannot collide. The prefix of `pk` is what IAM's `dynamodb:LeadingKeys`
 * condition matches: the socket role may write only `claim#…` items, the Rooms role everything
 * else (apps/socket/serverless.yml, apps/token-api/resources/rooms-role.yml).
 *
 * | item                        | pk                 | sk                    |
 * |-----------------------------|--------------------|-----------------------|
 * | ban of a user in a room     | `room#<roomId>`    | `ban#<userId>`        |
 * | revocation of one token     | `jti#<jti>`        | `revoked`             |
 * | revocation of a user's tokens, every room | `user#<userId>` | `revoked`   |
 * | … in one room               | `user#<userId>`    | `revoked#<roomId>`    |
 * | single-use claim of a token | `claim#<jti>`      | `claim`               |
 *
 * Every item carries `expiresAt` (epoch seconds, the table's TTL attribute).
 */
export type AccessKey = { pk: { S: string }; sk: { S: string } };

const key = (pk: string, sk: string): AccessKey => ({ pk: { S: pk }, sk: { S: sk } });

export const BAN_SORT_PREFIX = 'ban#';
export const roomPartition = (roomId: string): string => `room#${roomId}`;
export const banKey = (roomId: string, userId: string): AccessKey => key(roomPartition(roomId), `${BAN_SORT_PREFIX}${userId}`);
export const tokenRevocationKey = (jti: string): AccessKey => key(`jti#${jti}`, 'revoked');
export const userRevocationKey = (userId: string, roomId?: string): AccessKey => key(`user#${userId}`, roomId === undefined ? 'revoked' : `revoked#${roomId}`);
export const claimKey = (jti: string): AccessKey => key(`claim#${jti}`, 'claim');

/** The `pk` prefix of single-use claims: the only items the socket role may write. */
export const CLAIM_PARTITION_PREFIX = 'claim#';

export const sameKey = (a: Record<string, AttributeValue>, b: AccessKey): boolean => a.pk?.S === b.pk.S && a.sk?.S === b.sk.S;
