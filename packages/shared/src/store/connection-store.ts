import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  capList,
  FAN_OUT_TARGET_ATTRIBUTES,
  toFanOutTarget,
  toItem,
  toMember,
  toRecord,
  type ConnectionRecord,
  type FanOutTarget,
  type NewConnection,
  type RateBucket,
  type RoomMember,
} from './connection-item.ts';
import { ConnectionExistsError, ConnectionNotFoundError } from '../errors.ts';
import { createStoreCall } from './store-call.ts';
import { decodeCursor, encodeCursor } from './store-cursor.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { CloseReason, ConnectionObserver } from './connection-observer.ts';
import { livenessDeadline } from './liveness.ts';
import type { Capability } from '../tokens/types.ts';
import type { KeyRange } from '../delivery/key-range.ts';

/**
 * API Gateway closes every WebSocket connection after 2 hours, whatever the token says, and
 * delivers `$disconnect` only best-effort. The TTL attribute is therefore a garbage-collection
 * backstop set past that hard cap (not the token's `exp`: a refreshed connection outlives its first
 * token, and an expired token is enforced by the socket service at the next frame, not by TTL).
 * DynamoDB deletes expired items lazily (up to days later), so readers never rely on TTL.
 */
export const API_GATEWAY_MAX_CONNECTION_SECONDS = 2 * 60 * 60;
export const CONNECTION_TTL_MARGIN_SECONDS = 15 * 60;

/**
 * How long after `connectedAt` a connection may still be inside `$connect`. While `$connect` runs,
 * API Gateway (and serverless-offline) answers PostToConnection and DeleteConnection for it with
 * 410 Gone ("posted before the connection was established"), yet the handshake then completes.
 * API Gateway gives the `$connect` integration at most 29 s; 30 s rounds that up. A 410 for a row
 * younger than this proves nothing (docs/architecture.md, "What a 410 proves").
 */
export const HANDSHAKE_WINDOW_SECONDS = 30;

/** What `deleteGone` did: deleted the row, found none, or kept a row still inside the handshake window. */
export type GoneDeletion = 'deleted' | 'absent' | 'kept';

export const ROOM_INDEX_NAME = 'byRoom';
/** Sparse indexes for revocations: a user's connections, a token's connections. */
export const USER_INDEX_NAME = 'byUser';
export const TOKEN_INDEX_NAME = 'byToken';

/** What `byUser` and `byToken` project: enough to close a connection and to tell which token it joined with. */
export interface TokenHolder {
  connectionId: string;
  roomId: string;
  userId?: string;
  tokenIssuedAt?: number;
  connectedAt?: number;
}

export type { ConnectionRecord, NewConnection, RateBucket, RoomMember } from './connection-item.ts';

export interface RoomPage {
  members: RoomMember[];
  /** Opaque; pass back to `listRoom` for the next page. Absent on the last page. */
  cursor?: string;
}

export interface ConnectionStore {
  /**
   * Writes a new row; never overwrites one. Throws ConnectionExistsError when a row with this
   * `connectionId` exists (a replayed or forged `$connect` for a live connection must not move it
   * to another room or grant), leaving that row untouched. The observer hears of the row at once,
   * unless `announce: false` — then the caller calls `announce(record)` once the connection is
   * admitted (`$connect` writes the row before its admission checks, so that a ban landing
   * meanwhile finds it, but members must not hear a join for a connection that is refused).
   */
  put(connection: NewConnection, options?: { announce?: boolean }): Promise<ConnectionRecord>;
  /** Tells the observer about a row written with `announce: false` (presence join, `connection.opened`). */
  announce(record: ConnectionRecord): Promise<void>;
  /**
   * Records why a connection is about to be closed (a kick, a ban, a revocation, an expired token)
   * before DeleteConnection: whichever removes the row — the closer, or `$disconnect`, which API
   * Gateway runs for the same close and often first — the observer hears this reason, not
   * `disconnect`. A row already gone is fine. Throws StoreUnavailableError.
   */
  markClosing(connectionId: string, reason: CloseReason): Promise<void>;
  get(connectionId: string): Promise<ConnectionRecord | undefined>;
  /**
   * Idempotent: deleting an unknown id is fine. Resolves whether a row existed. `reason` (default
   * `closed`) is what the observer hears: a kick passes `kicked`, a ban `banned`. `refused` removes
   * a row written with `announce: false` whose connection was then refused: the observer hears
   * nothing, since no one heard of the row.
   */
  delete(connectionId: string, reason?: CloseReason | 'refused'): Promise<boolean>;
  /**
   * After the management API answered 410 for `connectionId`: deletes its row only if it is older
   * than HANDSHAKE_WINDOW_SECONDS (`connectedAt < now − window`; a row without `connectedAt`
   * counts as old). Check and delete are one conditional DeleteItem, so a row `$connect` has just
   * written is never removed. A kept row is retried by later fan-outs; the TTL is the backstop.
   */
  deleteGone(connectionId: string): Promise<GoneDeletion>;
  /**
   * `$disconnect`'s delete: only the row of the connection the event describes. `handshakeAt` is
   * the event's `requestContext.connectedAt` in epoch seconds; the row's `connectedAt` (written by
   * `$connect` after verifying the token) must lie within the handshake window after it (with
   * DISCONNECT_CLOCK_SLACK_SECONDS either side), else the row is kept. A row without
   * `connectedAt` is deleted.
   */
  deleteDisconnected(connectionId: string, handshakeAt: number): Promise<GoneDeletion>;
  /**
   * After a token refresh: the new token's `exp`, and its `jti` and `iat` when given (a revocation
   * of the new token must find the connection). Throws ConnectionNotFoundError if the row is gone.
   */
  updateExpiry(connectionId: string, grant: { tokenExpiresAt: number; capabilities?: Capability[]; tokenId?: string; tokenIssuedAt?: number }): Promise<void>;
  /**
   * Replaces the publish token bucket if it is still `previous` (undefined: the row has none yet):
   * one conditional UpdateItem, so two containers serving one connection cannot both spend the
   * same token. Resolves false when another frame moved the bucket first (read again and retry),
   * or the row is gone.
   */
  swapRateBucket(connectionId: string, previous: RateBucket | undefined, next: RateBucket): Promise<boolean>;
  /** A user's connections in every room (Query on `byUser`, eventually consistent). */
  userConnections(userId: string): AsyncIterableIterator<TokenHolder>;
  /** The connections that joined (or last refreshed) with the token `tokenId` (Query on `byToken`). */
  tokenConnections(tokenId: string): AsyncIterableIterator<TokenHolder>;
  /**
   * A frame arrived at `seenAt` (epoch seconds): writes `lastSeenAt` and moves `expiresAt` to the
   * liveness deadline (liveness.ts). Resolves false when the row is gone. Callers throttle it
   * (`needsTouch`).
   */
  touch(record: Pick<ConnectionRecord, 'connectionId' | 'connectedAt'>, seenAt: number): Promise<boolean>;
  listRoom(roomId: string, options?: { limit?: number; cursor?: string }): Promise<RoomPage>;
  /** Every member of a room, page by page (Query on `byRoom`, never Scan). */
  roomConnections(roomId: string): AsyncIterableIterator<RoomMember>;
  /**
   * The members whose `connectionId` lies in `range` (one fan-out shard), page by page: a Query on
   * `byRoom` with the range as key condition, so a shard reads only its own slice of the room, in
   * pages of `rangePageSize` rows, each row only the attributes a post needs (FanOutTarget).
   */
  roomRange(roomId: string, range: KeyRange): AsyncIterableIterator<FanOutTarget>;
}

/**
 * `Limit` of a fan-out shard's Query pages. A `byRoom` row is at most ~550 bytes (a 128-character
 * room id and user id, the connection id, `cap`, two numbers, attribute names included), and a
 * Query reads at most 1 MB per page before it applies the ProjectionExpression (DynamoDB
 * Developer Guide, "Paginating table query results"), so 1,000 rows always fit one page: the Limit,
 * not the 1 MB cap, ends a page. A shard of fanOutShardSize (5,000) then reads 5–6 pages instead of
 * 50, and posts to one while the next is read. Measured in docs/benchmarks.md (large rooms).
 */
export const ROOM_RANGE_PAGE_SIZE = 1_000;

/** The TTL backstop of a connection opened at `connectedAt`: past API Gateway's 2-hour cap. */
export const connectionCap = (connectedAt: number): number => connectedAt + API_GATEWAY_MAX_CONNECTION_SECONDS + CONNECTION_TTL_MARGIN_SECONDS;

/**
 * Clock difference allowed between API Gateway (the event's `connectedAt`) and the `$connect`
 * Lambda (the row's `connectedAt`), both NTP-synchronised.
 */
export const DISCONNECT_CLOCK_SLACK_SECONDS = 5;

export interface ConnectionStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Query page size for room listings (DynamoDB `Limit`; default 100). */
  pageSize?: number;
  /** Query page size of a fan-out shard's range (`roomRange`; default ROOM_RANGE_PAGE_SIZE). */
  rangePageSize?: number;
  clock?: Clock;
  /** Told about every row added or removed (presence, lifecycle events); see ConnectionObserver. */
  observer?: ConnectionObserver | undefined;
}

export function createConnectionStore(options: ConnectionStoreOptions): ConnectionStore {
  const { client, tableName } = options;
  const pageSize = options.pageSize ?? 100;
  const rangePageSize = options.rangePageSize ?? ROOM_RANGE_PAGE_SIZE;
  const clock = options.clock ?? systemClock;
  const { observer } = options;
  // The observer handles and logs its own failures; this only keeps a bug there from failing a write.
  const notifyRemoved = async (item: Record<string, AttributeValue> | undefined, reason: CloseReason): Promise<void> => {
    // A reason recorded before the close wins over the remover's own (markClosing).
    const closing = item?.closeReason?.S as CloseReason | undefined;
    if (observer !== undefined && item !== undefined) await observer.removed(toRecord(item), closing ?? reason).catch(() => undefined);
  };

  const send = createStoreCall('connection store');

  /** One Query page of the room's `byRoom` rows (at most `limit`), optionally only `range` and only the `projection` attributes. */
  const queryRoom = (
    roomId: string,
    page: { limit: number; startKey?: Record<string, AttributeValue> | undefined; range?: KeyRange | undefined; projection?: readonly string[] },
  ) => {
    const range = page.range === undefined ? undefined : rangeCondition(page.range);
    const projection = page.projection;
    return send('query', () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: ROOM_INDEX_NAME,
          KeyConditionExpression: `roomId = :room${range?.expression ?? ''}`,
          ExpressionAttributeValues: { ':room': { S: roomId }, ...range?.values },
          ...(projection === undefined
            ? {}
            : {
                ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
                ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
              }),
          Limit: page.limit,
          ExclusiveStartKey: page.startKey,
        }),
      ),
    );
  };

  const listRoom = async (roomId: string, page: { limit?: number; cursor?: string } = {}): Promise<RoomPage> => {
    const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const result = await queryRoom(roomId, { limit: page.limit ?? pageSize, startKey });
    const members = (result.Items ?? []).map(toMember);
    return result.LastEvaluatedKey ? { members, cursor: encodeCursor(result.LastEvaluatedKey) } : { members };
  };

  /**
   * Every row of the pages `read` answers, asking for the next page as soon as one arrives, so a
   * fan-out posts to this page while DynamoDB answers instead of every worker stalling at each page
   * boundary (docs/benchmarks.md, fan-out). The LastEvaluatedKey goes straight back as the start
   * key (no cursor encoded and decoded per page).
   */
  async function* prefetched(
    read: (startKey?: Record<string, AttributeValue>) => Promise<QueryCommandOutput>,
  ): AsyncIterableIterator<Record<string, AttributeValue>> {
    let pending: Promise<QueryCommandOutput> | undefined = read();
    while (pending !== undefined) {
      const result: QueryCommandOutput = await pending;
      pending = result.LastEvaluatedKey === undefined ? undefined : read(result.LastEvaluatedKey);
      // Awaited on the next turn; until then this keeps an early failure from being "unhandled".
      pending?.catch(() => undefined);
      yield* result.Items ?? [];
    }
  }

  async function* roomMembers(roomId: string): AsyncIterableIterator<RoomMember> {
    for await (const item of prefetched((startKey) => queryRoom(roomId, { limit: pageSize, startKey }))) yield toMember(item);
  }

  // A shard's read: big pages (few round trips for its ~fanOutShardSize members), only the
  // attributes a post needs.
  async function* rangeTargets(roomId: string, range: KeyRange): AsyncIterableIterator<FanOutTarget> {
    const read = (startKey?: Record<string, AttributeValue>) =>
      queryRoom(roomId, { limit: rangePageSize, startKey, range, projection: FAN_OUT_TARGET_ATTRIBUTES });
    for await (const item of prefetched(read)) {
      const target = toFanOutTarget(item);
      // A key condition has no exclusive bounds (BETWEEN includes both of its ends): DynamoDB
      // returned keys within the inclusive bounds, so only an excluded bound itself is dropped
      // (inKeyRange would re-encode both keys as UTF-8 per row to find the same).
      if (target.connectionId !== range.after && target.connectionId !== range.until) yield target;
    }
  }

  async function* queryIndex(indexName: string, attribute: string, value: string): AsyncIterableIterator<TokenHolder> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const result = await send('query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexName,
            KeyConditionExpression: '#key = :value',
            ExpressionAttributeNames: { '#key': attribute },
            ExpressionAttributeValues: { ':value': { S: value } },
            Limit: pageSize,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of result.Items ?? []) yield toHolder(item);
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  const conditionalDelete = async (
    connectionId: string,
    condition: string,
    values: Record<string, AttributeValue>,
    reason: CloseReason,
  ): Promise<GoneDeletion> => {
    let removed: Record<string, AttributeValue> | undefined;
    const outcome = await send('delete', async (): Promise<GoneDeletion> => {
      try {
        const result = await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { connectionId: { S: connectionId } },
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        );
        removed = result.Attributes;
        return result.Attributes !== undefined ? 'deleted' : 'absent';
      } catch (cause) {
        if (cause instanceof ConditionalCheckFailedException) return 'kept';
        throw cause;
      }
    });
    await notifyRemoved(removed, reason);
    return outcome;
  };

  /**
   * One conditional UpdateItem of a connection's row. Resolves false when the condition failed (the
   * row is gone, or another writer moved it first); other failures are StoreUnavailableError.
   */
  const conditionalUpdate = (connectionId: string, condition: string, update: string, values: Record<string, AttributeValue>): Promise<boolean> =>
    send('update', async () => {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { connectionId: { S: connectionId } },
            ConditionExpression: condition,
            UpdateExpression: update,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (cause) {
        if (cause instanceof ConditionalCheckFailedException) return false;
        throw cause;
      }
    });

  return {
    async put(connection, putOptions = {}) {
      const connectedAt = connection.connectedAt ?? clock();
      const record: ConnectionRecord = {
        ...connection,
        connectedAt,
        lastSeenAt: connectedAt,
        expiresAt: connection.expiresAt ?? livenessDeadline(connectedAt, connectionCap(connectedAt)),
      };
      await send('put', async () => {
        try {
          await client.send(new PutItemCommand({ TableName: tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(connectionId)' }));
        } catch (cause) {
          if (cause instanceof ConditionalCheckFailedException) throw new ConnectionExistsError(undefined, { cause });
          throw cause;
        }
      });
      if (putOptions.announce !== false) await observer?.added(record).catch(() => undefined);
      return record;
    },

    async announce(record) {
      await observer?.added(record).catch(() => undefined);
    },

    async markClosing(connectionId, reason) {
      // A row already gone is fine: whoever removed it announced the close.
      await conditionalUpdate(connectionId, 'attribute_exists(connectionId)', 'SET closeReason = :reason', { ':reason': { S: reason } });
    },

    async get(connectionId) {
      // Strongly consistent: `$default` may run right after `$connect` wrote the row.
      const result = await send('get', () =>
        client.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true })),
      );
      return result.Item ? toRecord(result.Item) : undefined;
    },

    async delete(connectionId, reason = 'closed') {
      const result = await send('delete', () =>
        client.send(new DeleteItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } }, ReturnValues: 'ALL_OLD' })),
      );
      if (reason !== 'refused') await notifyRemoved(result.Attributes, reason);
      return result.Attributes !== undefined;
    },

    async deleteGone(connectionId) {
      // An absent item satisfies attribute_not_exists too: the delete is then a no-op.
      return conditionalDelete(
        connectionId,
        'attribute_not_exists(connectedAt) OR connectedAt < :settled',
        {
          ':settled': { N: String(clock() - HANDSHAKE_WINDOW_SECONDS) },
        },
        'gone',
      );
    },

    async deleteDisconnected(connectionId, handshakeAt) {
      return conditionalDelete(
        connectionId,
        'attribute_not_exists(connectedAt) OR connectedAt BETWEEN :from AND :to',
        {
          ':from': { N: String(handshakeAt - DISCONNECT_CLOCK_SLACK_SECONDS) },
          ':to': { N: String(handshakeAt + HANDSHAKE_WINDOW_SECONDS + DISCONNECT_CLOCK_SLACK_SECONDS) },
        },
        'disconnect',
      );
    },

    async updateExpiry(connectionId, grant) {
      const capabilities = grant.capabilities;
      const sets = [
        'tokenExpiresAt = :exp',
        ...(capabilities ? ['cap = :cap'] : []),
        ...(grant.tokenId !== undefined ? ['tokenId = :jti'] : []),
        ...(grant.tokenIssuedAt !== undefined ? ['tokenIssuedAt = :iat'] : []),
      ];
      // A token without jti leaves none behind: the old one's would still find this connection.
      const removes = grant.tokenId === undefined ? ' REMOVE tokenId' : '';
      const updated = await conditionalUpdate(connectionId, 'attribute_exists(connectionId)', `SET ${sets.join(', ')}${removes}`, {
        ':exp': { N: String(grant.tokenExpiresAt) },
        ...(capabilities ? { ':cap': capList(capabilities) } : {}),
        ...(grant.tokenId !== undefined ? { ':jti': { S: grant.tokenId } } : {}),
        ...(grant.tokenIssuedAt !== undefined ? { ':iat': { N: String(grant.tokenIssuedAt) } } : {}),
      });
      if (!updated) throw new ConnectionNotFoundError();
    },

    swapRateBucket: (connectionId, previous, next) =>
      conditionalUpdate(
        connectionId,
        previous === undefined ? 'attribute_exists(connectionId) AND attribute_not_exists(rateAt)' : 'rateAt = :prevAt AND rateTokens = :prevTokens',
        'SET rateTokens = :tokens, rateAt = :at',
        {
          ':tokens': { N: String(next.tokens) },
          ':at': { N: String(next.at) },
          ...(previous !== undefined ? { ':prevAt': { N: String(previous.at) }, ':prevTokens': { N: String(previous.tokens) } } : {}),
        },
      ),

    touch: (record, seenAt) =>
      conditionalUpdate(record.connectionId, 'attribute_exists(connectionId)', 'SET lastSeenAt = :seen, expiresAt = :deadline', {
        ':seen': { N: String(seenAt) },
        ':deadline': { N: String(livenessDeadline(seenAt, connectionCap(record.connectedAt))) },
      }),

    userConnections: (userId) => queryIndex(USER_INDEX_NAME, 'userId', userId),
    tokenConnections: (tokenId) => queryIndex(TOKEN_INDEX_NAME, 'tokenId', tokenId),

    listRoom,

    roomConnections: roomMembers,
    roomRange: rangeTargets,
  };
}

/**
 * The sort-key part of a `byRoom` key condition. DynamoDB allows one condition on the sort key
 * (=, <, <=, >, >=, BETWEEN, begins_with), so a range bounded on both sides is a BETWEEN of its
 * bounds, both included; the caller drops an excluded bound.
 */
function rangeCondition(range: KeyRange): { expression: string; values: Record<string, AttributeValue> } | undefined {
  const lower = range.after ?? range.from;
  const upper = range.until ?? range.through;
  if (lower !== undefined && upper !== undefined) {
    return { expression: ' AND connectionId BETWEEN :lower AND :upper', values: { ':lower': { S: lower }, ':upper': { S: upper } } };
  }
  if (lower !== undefined) return { expression: ` AND connectionId ${range.after !== undefined ? '>' : '>='} :lower`, values: { ':lower': { S: lower } } };
  if (upper !== undefined) return { expression: ` AND connectionId ${range.until !== undefined ? '<' : '<='} :upper`, values: { ':upper': { S: upper } } };
  return undefined;
}

function toHolder(item: Record<string, AttributeValue>): TokenHolder {
  const userId = item.userId?.S;
  const tokenIssuedAt = item.tokenIssuedAt?.N;
  const connectedAt = item.connectedAt?.N;
  return {
    connectionId: item.connectionId?.S ?? '',
    roomId: item.roomId?.S ?? '',
    ...(userId !== undefined ? { userId } : {}),
    ...(tokenIssuedAt !== undefined ? { tokenIssuedAt: Number(tokenIssuedAt) } : {}),
    ...(connectedAt !== undefined ? { connectedAt: Number(connectedAt) } : {}),
  };
}
