import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { InvalidCursorError, TokenReusedError, TokenRevokedError, UserBannedError } from '../errors.ts';
import { createStoreCall } from '../store/store-call.ts';
import { decodeCursor, encodeCursor } from '../store/store-cursor.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { BAN_SORT_PREFIX, banKey, claimKey, roomPartition, sameKey, tokenRevocationKey, userRevocationKey, type AccessKey } from './access-keys.ts';

/** Who is asking to be (or stay) in a room: what a verified token says. Times are epoch seconds. */
export interface AccessSubject {
  roomId: string;
  userId?: string | undefined;
  /** The token's `jti`. */
  tokenId?: string | undefined;
  /** The token's `iat`. */
  issuedAt: number;
}

/** One ban of a user in a room. Times are epoch seconds. */
export interface Ban {
  roomId: string;
  userId: string;
  bannedUntil: number;
  createdAt: number;
  reason?: string;
  /** Who banned (`iam:<arn>` or `api-key:<id>`), for the audit trail. */
  createdBy?: string;
}

export interface BanPage {
  bans: Ban[];
  /** Opaque; pass back for the next page. Absent on the last page. */
  cursor?: string;
}

/** A revocation of every token of `userId` issued before `issuedBefore` (in `roomId`, or everywhere). */
export interface UserRevocation {
  userId: string;
  /** Epoch seconds: tokens with `iat < issuedBefore` are refused. */
  issuedBefore: number;
  roomId?: string | undefined;
  /** Epoch seconds: when the last token this covers expires (the item's TTL). */
  expiresAt: number;
}

export interface AccessStore {
  /**
   * `$connect`'s and `refresh`'s check, in ONE strongly consistent BatchGetItem round (a second
   * round only for keys DynamoDB left unprocessed under throttling): the ban of (room, user), the
   * revocation of the token's `jti`, the user's revocations (every room, this room). Expired items
   * count as absent (DynamoDB deletes them up to 48 h late; dynalite never).
   * Throws UserBannedError, TokenRevokedError, StoreUnavailableError.
   */
  assertAdmitted(subject: AccessSubject): Promise<void>;
  /**
   * Claims a single-use token's `jti`: one conditional PutItem, so of any number of racing
   * `$connect`s exactly one wins. `expiresAt` is the token's `exp` (the claim's TTL).
   * Throws TokenReusedError for every loser, StoreUnavailableError.
   */
  claimSingleUse(jti: string, expiresAt: number): Promise<void>;
  /** Writes (or replaces) a ban; its TTL is `bannedUntil`. */
  putBan(ban: Ban): Promise<void>;
  /** Lifts a ban; resolves whether one was active. */
  deleteBan(roomId: string, userId: string): Promise<boolean>;
  /** Active bans of a room, a page at a time (a Query on the room's partition). Throws InvalidCursorError. */
  listBans(roomId: string, page?: { limit?: number; cursor?: string | undefined }): Promise<BanPage>;
  /** Refuses the token with this `jti` until `expiresAt` (when it would expire at the latest). */
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  /** Records a user revocation; an existing one with a later `issuedBefore` is kept (it covers more). */
  revokeUser(revocation: UserRevocation): Promise<void>;
}

export interface AccessStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
  /** BatchGetItem rounds for unprocessed keys before giving up with StoreUnavailableError. */
  maxBatchRounds?: number;
}

/**
 * Bans, revocations and single-use claims in the access table (apps/socket/resources/access-table.yml,
 * key scheme in access-keys.ts). SDK errors become StoreUnavailableError (`store-call.ts`).
 */
export function createAccessStore(options: AccessStoreOptions): AccessStore {
  const { client, tableName } = options;
  const clock = options.clock ?? systemClock;
  const maxRounds = options.maxBatchRounds ?? 3;
  const send = createStoreCall('access store');
  const live = (item: Record<string, AttributeValue> | undefined, now: number): item is Record<string, AttributeValue> =>
    item !== undefined && Number(item.expiresAt?.N ?? 0) > now;

  const batchGet = async (keys: AccessKey[]): Promise<Record<string, AttributeValue>[]> => {
    const found: Record<string, AttributeValue>[] = [];
    let pending: Record<string, AttributeValue>[] = keys;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === maxRounds) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${maxRounds} rounds`);
      // Backoff only for retries: DynamoDB leaves keys unprocessed when throttled.
      if (round > 0) await delay(20 * 2 ** round);
      const result = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  };

  return {
    async assertAdmitted(subject) {
      const ban = subject.userId !== undefined ? banKey(subject.roomId, subject.userId) : undefined;
      const jti = subject.tokenId !== undefined ? tokenRevocationKey(subject.tokenId) : undefined;
      const userKeys = subject.userId !== undefined ? [userRevocationKey(subject.userId), userRevocationKey(subject.userId, subject.roomId)] : [];
      const keys = [ban, jti, ...userKeys].filter((k): k is AccessKey => k !== undefined);
      const items = await send('batch get', () => batchGet(keys));
      const now = clock();
      const find = (k: AccessKey | undefined) => (k === undefined ? undefined : items.find((item) => sameKey(item, k)));
      const banItem = find(ban);
      if (live(banItem, now)) throw new UserBannedError(Number(banItem.bannedUntil?.N ?? banItem.expiresAt?.N));
      if (live(find(jti), now)) throw new TokenRevokedError();
      for (const k of userKeys) {
        const item = find(k);
        if (live(item, now) && subject.issuedAt < Number(item.issuedBefore?.N ?? 0))
          throw new TokenRevokedError("the user's tokens issued before this one's revocation were revoked");
      }
    },

    async claimSingleUse(jti, expiresAt) {
      await send('claim', async () => {
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...claimKey(jti), claimedAt: { N: String(clock()) }, expiresAt: { N: String(expiresAt) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (cause) {
          if (cause instanceof ConditionalCheckFailedException) throw new TokenReusedError();
          throw cause;
        }
      });
    },

    async putBan(ban) {
      const item: Record<string, AttributeValue> = {
        ...banKey(ban.roomId, ban.userId),
        bannedUntil: { N: String(ban.bannedUntil) },
        createdAt: { N: String(ban.createdAt) },
        expiresAt: { N: String(ban.bannedUntil) },
        ...(ban.reason !== undefined ? { reason: { S: ban.reason } } : {}),
        ...(ban.createdBy !== undefined ? { createdBy: { S: ban.createdBy } } : {}),
      };
      await send('put ban', () => client.send(new PutItemCommand({ TableName: tableName, Item: item })));
    },

    async deleteBan(roomId, userId) {
      const result = await send('delete ban', () =>
        client.send(new DeleteItemCommand({ TableName: tableName, Key: banKey(roomId, userId), ReturnValues: 'ALL_OLD' })),
      );
      return live(result.Attributes, clock());
    },

    async listBans(roomId, page = {}) {
      const partition = roomPartition(roomId);
      let startKey: Record<string, AttributeValue> | undefined;
      if (page.cursor !== undefined) {
        startKey = decodeCursor(page.cursor);
        // A cursor is a key of this room's partition or nothing: another room's would list it.
        if (startKey.pk?.S !== partition || !startKey.sk?.S?.startsWith(BAN_SORT_PREFIX) || Object.keys(startKey).length !== 2) throw new InvalidCursorError();
      }
      const now = clock();
      const result = await send('query bans', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :room AND begins_with(sk, :ban)',
            // Expired bans stay until TTL deletes them; the page may come back short because of them.
            FilterExpression: 'expiresAt > :now',
            ExpressionAttributeValues: { ':room': { S: partition }, ':ban': { S: BAN_SORT_PREFIX }, ':now': { N: String(now) } },
            Limit: page.limit ?? 100,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const bans = (result.Items ?? []).map((item) => toBan(roomId, item));
      return result.LastEvaluatedKey ? { bans, cursor: encodeCursor(result.LastEvaluatedKey) } : { bans };
    },

    async revokeToken(jti, expiresAt) {
      const item = { ...tokenRevocationKey(jti), revokedAt: { N: String(clock()) }, expiresAt: { N: String(expiresAt) } };
      await send('revoke token', () => client.send(new PutItemCommand({ TableName: tableName, Item: item })));
    },

    async revokeUser(revocation) {
      const item = {
        ...userRevocationKey(revocation.userId, revocation.roomId),
        issuedBefore: { N: String(revocation.issuedBefore) },
        revokedAt: { N: String(clock()) },
        expiresAt: { N: String(revocation.expiresAt) },
      };
      await send('revoke user', async () => {
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: item,
              // Never narrow a revocation: a later `issuedBefore` already refuses everything this one would.
              ConditionExpression: 'attribute_not_exists(pk) OR issuedBefore < :before OR expiresAt <= :now',
              ExpressionAttributeValues: { ':before': item.issuedBefore, ':now': { N: String(clock()) } },
            }),
          );
        } catch (cause) {
          if (!(cause instanceof ConditionalCheckFailedException)) throw cause;
        }
      });
    },
  };
}

function toBan(roomId: string, item: Record<string, AttributeValue>): Ban {
  const reason = item.reason?.S;
  const createdBy = item.createdBy?.S;
  return {
    roomId,
    userId: (item.sk?.S ?? '').slice(BAN_SORT_PREFIX.length),
    bannedUntil: Number(item.bannedUntil?.N ?? 0),
    createdAt: Number(item.createdAt?.N ?? 0),
    ...(reason !== undefined ? { reason } : {}),
    ...(createdBy !== undefined ? { createdBy } : {}),
  };
}
