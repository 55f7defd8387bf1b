import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { createStoreCall } from '../store/store-call.ts';
import type { MessagePosition } from './message-position.ts';
import type { MessageExclusion } from './message-exclusion.ts';
import { PositionCache } from './position-cache.ts';

/** One history item: the exact serialized `message` frame that was (or is about to be) fanned out. */
export interface StoredMessage extends MessagePosition, MessageExclusion {
  frame: string;
  /** Epoch seconds. */
  publishedAt: number;
}

export interface HistoryQuery {
  /** Messages with `seq > since`. Absent: no messages, only the room's current position. */
  since?: number | undefined;
  /** The epoch `since` belongs to; another epoch than the room's means "not recovered". */
  epoch?: string | undefined;
  /** At most this many messages. */
  limit: number;
  /** Budget for the frames (UTF-8 bytes, one separator byte each); the first message always fits. */
  maxBytes?: number | undefined;
}

export interface HistoryPage {
  /** The room's current epoch; null when it has no history at all. */
  epoch: string | null;
  /** The room's last seq (0 when it has no history). */
  lastSeq: number;
  /** Ascending, unexpired, of the current epoch. */
  messages: StoredMessage[];
  /** More messages follow the last one returned: ask again with `since` = its seq. */
  more: boolean;
  /** False when the range after `since` cannot be served whole (another epoch, expired, beyond the count). */
  recovered: boolean;
  /** The seqs that are gone, inclusive, when known (absent on an epoch change). */
  missed?: { from: number; to: number };
}

export interface HistoryStore {
  /** Seconds a message is kept (the window), > 0. */
  readonly ttlSeconds: number;
  /** Messages per room a reader is served at most (older ones count as gone). */
  readonly maxMessages: number;
  /**
   * Allocates the room's next position and stores `build(position)` under it with one
   * conditional PutItem; the frame must embed that position. Throws StoreUnavailableError when
   * DynamoDB fails (after the SDK's retries) or 32 attempts lost the race for a seq; whatever
   * `build` throws (a frame too large) is passed on untouched and nothing is stored.
   */
  append(roomId: string, build: (position: MessagePosition) => string, exclusion?: MessageExclusion): Promise<StoredMessage>;
  /** Stored messages after a position, with the recovery verdict. Throws StoreUnavailableError. */
  read(roomId: string, query: HistoryQuery): Promise<HistoryPage>;
  /**
   * The room's last position (its newest item, expired or not, read consistently), or undefined
   * when the room has no item at all. One Query. Throws StoreUnavailableError.
   */
  lastPosition(roomId: string): Promise<MessagePosition | undefined>;
}

export interface HistoryStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** HISTORY_TTL_SECONDS, > 0 (0 means "history off": build no store at all). */
  ttlSeconds: number;
  /** HISTORY_MAX_MESSAGES. */
  maxMessages: number;
  /** Rooms whose last position a container remembers. */
  cacheRooms?: number;
  /** Conditional puts per append before giving up on contention. */
  maxAttempts?: number;
  clock?: Clock;
}

const EPOCH_BYTES = 9;
/** On contention, every this many lost seqs the last item is read again instead of stepping on. */
const READ_EVERY_ATTEMPTS = 4;

/**
 * The history table (apps/socket/resources/history-table.yml): `roomId` + `seq`, TTL on
 * `expiresAt`. There is no counter item: the conditional put of the message itself allocates its
 * seq (`attribute_not_exists(seq)`), so a seq is never taken without a message behind it.
 * DynamoDB deletes expired items up to 48 hours late and dynalite never does, so readers compare
 * `expiresAt` themselves and treat an expired item exactly like a deleted one.
 */
export function createHistoryStore(options: HistoryStoreOptions): HistoryStore {
  const { client, tableName, ttlSeconds, maxMessages } = options;
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? 32;
  const cache = new PositionCache(options.cacheRooms ?? 1000);

  // A lost conditional write is a race the append loop retries, not an outage.
  const send = createStoreCall('history store', { passThrough: (error) => error instanceof ConditionalCheckFailedException });

  /** The room's newest item, expired or not: an item that still exists keeps its epoch alive. */
  const lastItem = async (roomId: string): Promise<StoredMessage | undefined> => {
    const result = await send('query', () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'roomId = :r',
          ExpressionAttributeValues: { ':r': { S: roomId } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const item = result.Items?.[0];
    return item === undefined ? undefined : toMessage(item);
  };

  const nextPosition = async (roomId: string): Promise<MessagePosition> => {
    const last = await lastItem(roomId);
    return last === undefined ? { epoch: randomBytes(EPOCH_BYTES).toString('base64url'), seq: 1 } : { epoch: last.epoch, seq: last.seq + 1 };
  };

  /** A cached position is trusted while its item cannot have been deleted by TTL yet. */
  const cachedNext = (roomId: string): MessagePosition | undefined => {
    const cached = cache.get(roomId);
    if (cached === undefined || clock() - cached.publishedAt >= ttlSeconds / 2) return undefined;
    return { epoch: cached.epoch, seq: cached.seq + 1 };
  };

  return {
    ttlSeconds,
    maxMessages,

    async lastPosition(roomId) {
      const last = await lastItem(roomId);
      return last === undefined ? undefined : { epoch: last.epoch, seq: last.seq };
    },

    async append(roomId, build, exclusion = {}) {
      let position = cachedNext(roomId) ?? (await nextPosition(roomId));
      for (let attempt = 1; ; attempt += 1) {
        const frame = build(position);
        const publishedAt = clock();
        try {
          await send('put', () =>
            client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: {
                  roomId: { S: roomId },
                  seq: { N: String(position.seq) },
                  epoch: { S: position.epoch },
                  frame: { S: frame },
                  publishedAt: { N: String(publishedAt) },
                  expiresAt: { N: String(publishedAt + ttlSeconds) },
                  ...(exclusion.excludeUserId === undefined ? {} : { excludeUserId: { S: exclusion.excludeUserId } }),
                  ...(exclusion.excludeConnectionId === undefined ? {} : { excludeConnectionId: { S: exclusion.excludeConnectionId } }),
                },
                ConditionExpression: 'attribute_not_exists(seq)',
              }),
            ),
          );
          cache.set(roomId, { ...position, publishedAt });
          return { ...position, frame, publishedAt, ...definedExclusion(exclusion) };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          cache.delete(roomId);
          if (attempt >= maxAttempts) {
            throw new StoreUnavailableError(`history append gave up after ${maxAttempts} attempts: too many concurrent publishes to the room`, {
              cause: error,
            });
          }
          // Another publisher took this seq, so it exists and the next one is the likeliest free one:
          // step to it at once, with no read. Concurrent publishers then settle in one round each
          // instead of re-reading and colliding again. A guess that opened a new epoch must read
          // (the winner's epoch is the room's now), and so does every few steps, so a stale guess
          // far behind the room catches up in one jump; that read waits a little jitter.
          const openedEpoch = position.seq === 1;
          if (!openedEpoch && attempt % READ_EVERY_ATTEMPTS !== 0) {
            position = { epoch: position.epoch, seq: position.seq + 1 };
            continue;
          }
          await delay(Math.random() * 5 * attempt);
          const last = await nextPosition(roomId);
          position = last.seq > position.seq || openedEpoch ? last : { epoch: position.epoch, seq: position.seq + 1 };
        }
      }
    },

    async read(roomId, query) {
      const last = await lastItem(roomId);
      if (last === undefined) {
        // Nothing at all: fine for a reader that had nothing; anything else is a reset.
        const recovered = query.since === undefined || (query.since === 0 && query.epoch === undefined);
        return { epoch: null, lastSeq: 0, messages: [], more: false, recovered };
      }
      const page: HistoryPage = { epoch: last.epoch, lastSeq: last.seq, messages: [], more: false, recovered: true };
      if (query.since === undefined) return page;

      const sameEpoch = query.epoch === undefined || query.epoch === last.epoch;
      const since = sameEpoch ? query.since : 0;
      if (sameEpoch && since >= last.seq) return { ...page, recovered: since === last.seq };

      // HISTORY_MAX_MESSAGES: older items may still exist, but count as gone for every reader alike.
      const oldestServed = Math.max(1, last.seq - maxMessages + 1);
      const collected = await readRange(roomId, last.epoch, Math.max(since, oldestServed - 1), query);
      page.messages = collected.messages;
      page.more = collected.more;
      const newest = page.messages.at(-1);
      if (newest !== undefined && newest.seq > page.lastSeq) page.lastSeq = newest.seq;

      const first = page.messages[0]?.seq ?? page.lastSeq + 1;
      if (!sameEpoch) return { ...page, recovered: false };
      if (first === since + 1) return page;
      return { ...page, recovered: false, missed: { from: since + 1, to: first - 1 } };
    },
  };

  /** Unexpired items of `epoch` with seq > `after`, ascending, cut by count and bytes. */
  async function readRange(roomId: string, epoch: string, after: number, query: HistoryQuery): Promise<{ messages: StoredMessage[]; more: boolean }> {
    const now = clock();
    const messages: StoredMessage[] = [];
    let bytes = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const result = await send('query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'roomId = :r AND seq > :after',
            ExpressionAttributeValues: { ':r': { S: roomId }, ':after': { N: String(after) } },
            ScanIndexForward: true,
            // One more than asked, to tell whether more follow.
            Limit: query.limit + 1,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of result.Items ?? []) {
        const message = toMessage(item);
        if (message.epoch !== epoch || Number(item.expiresAt?.N ?? 0) <= now) continue;
        const size = Buffer.byteLength(message.frame, 'utf8') + 1;
        if (messages.length === query.limit || (messages.length > 0 && query.maxBytes !== undefined && bytes + size > query.maxBytes)) {
          return { messages, more: true };
        }
        messages.push(message);
        bytes += size;
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { messages, more: false };
  }
}

function toMessage(item: Record<string, AttributeValue>): StoredMessage {
  return {
    epoch: item.epoch?.S ?? '',
    seq: Number(item.seq?.N ?? 0),
    frame: item.frame?.S ?? '',
    publishedAt: Number(item.publishedAt?.N ?? 0),
    ...definedExclusion({ excludeUserId: item.excludeUserId?.S, excludeConnectionId: item.excludeConnectionId?.S }),
  };
}

function definedExclusion(exclusion: MessageExclusion): MessageExclusion {
  return {
    ...(exclusion.excludeUserId === undefined ? {} : { excludeUserId: exclusion.excludeUserId }),
    ...(exclusion.excludeConnectionId === undefined ? {} : { excludeConnectionId: exclusion.excludeConnectionId }),
  };
}
