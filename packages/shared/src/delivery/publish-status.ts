import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createStoreCall } from '../store/store-call.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { FanOutShardJob } from './shard-job.ts';

/**
 * Where a sharded publish stands: `queued` (no shard started yet), `running`, `done` (every shard
 * finished; `failed` counts posts that still failed), `incomplete` (a shard could not list its
 * range, or not every shard reported by the deadline: members missing it recover it from history).
 */
export type PublishState = 'queued' | 'running' | 'done' | 'incomplete';

/** What a finished shard adds to its publish. */
export interface ShardCounts {
  delivered: number;
  failed: number;
  stale: number;
  /** Throttled answers absorbed by retries (429 / LimitExceededException). */
  throttled: number;
}

export interface PublishStatus extends ShardCounts {
  publishId: string;
  roomId: string;
  state: PublishState;
  /** Shards the publish was cut into. */
  shards: number;
  /** Shards that finished (their counts are in). */
  shardsDone: number;
  /** Shards that stopped early: their range could not be listed. */
  shardsFailed: number;
  /** Epoch seconds the publish was queued. */
  queuedAt: number;
}

export interface PublishStatusStore {
  /** Writes a sharded publish's status before its shards are dispatched. Throws StoreUnavailableError. */
  create(status: { publishId: string; roomId: string; shards: number }): Promise<void>;
  /**
   * Claims shard `index` of the publish: one conditional UpdateItem, so a shard runs at most once
   * even when its asynchronous invocation is delivered twice (a retried Invoke, Lambda's own
   * retries). Resolves false when the shard was claimed before or the status is gone (expired).
   */
  claimShard(publishId: string, index: number): Promise<boolean>;
  /** Adds a shard's counts (ADD, so shards finishing together never lose an update). `listed: false`: the shard stopped early. */
  finishShard(publishId: string, counts: ShardCounts, outcome: { listed: boolean }): Promise<void>;
  /** The status, or undefined when unknown, expired, or of another room. Throws StoreUnavailableError. */
  get(roomId: string, publishId: string): Promise<PublishStatus | undefined>;
  /**
   * Keeps the shard jobs a publisher could not queue (one UpdateItem of the status: the frame once,
   * the ranges), so a retry of the publish can queue exactly those (`takeUndispatched`). At most
   * fanOutMaxShards ranges and one frame (≤ 128 KB, base64 ≤ 171 KB) fit DynamoDB's 400 KB item.
   * Throws StoreUnavailableError.
   */
  keepUndispatched(jobs: readonly FanOutShardJob[]): Promise<void>;
  /** The jobs kept by `keepUndispatched` for this room's publish; empty when none (or unknown, expired, another room's). */
  takeUndispatched(roomId: string, publishId: string): Promise<FanOutShardJob[]>;
  /** Forgets the kept jobs once they were queued. */
  clearUndispatched(publishId: string): Promise<void>;
}

export interface PublishStatusStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a status stays readable, in seconds (DynamoDB TTL on `expiresAt`; default 86,400). */
  ttlSeconds?: number;
  /**
   * Seconds after `queuedAt` by which every shard has reported or never will (the shard
   * function's event age plus its timeout); an unfinished publish then reads `incomplete`.
   */
  deadlineSeconds: number;
  clock?: Clock;
}

export function createPublishStatusStore(options: PublishStatusStoreOptions): PublishStatusStore {
  const { client, tableName } = options;
  const clock = options.clock ?? systemClock;
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  const send = createStoreCall('publish status store');
  const key = (publishId: string) => ({ publishId: { S: publishId } });

  return {
    async create(status) {
      const now = clock();
      await send('put', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key(status.publishId),
              roomId: { S: status.roomId },
              shards: { N: String(status.shards) },
              queuedAt: { N: String(now) },
              expiresAt: { N: String(now + ttlSeconds) },
            },
            // A publish id is 16 random bytes; a collision would merge two publishes' counts.
            ConditionExpression: 'attribute_not_exists(publishId)',
          }),
        ),
      );
    },

    claimShard: (publishId, index) =>
      send('update', async () => {
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: key(publishId),
              ConditionExpression: 'attribute_exists(publishId) AND NOT contains(startedShards, :index)',
              UpdateExpression: 'ADD startedShards :set',
              ExpressionAttributeValues: { ':index': { N: String(index) }, ':set': { NS: [String(index)] } },
            }),
          );
          return true;
        } catch (cause) {
          if (cause instanceof ConditionalCheckFailedException) return false;
          throw cause;
        }
      }),

    async finishShard(publishId, counts, outcome) {
      await send('update', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(publishId),
            // Never recreates an expired status as a counters-only item.
            ConditionExpression: 'attribute_exists(publishId)',
            UpdateExpression: `ADD delivered :delivered, failed :failed, stale :stale, throttled :throttled, ${outcome.listed ? 'shardsDone' : 'shardsFailed'} :one`,
            ExpressionAttributeValues: {
              ':delivered': { N: String(counts.delivered) },
              ':failed': { N: String(counts.failed) },
              ':stale': { N: String(counts.stale) },
              ':throttled': { N: String(counts.throttled) },
              ':one': { N: '1' },
            },
          }),
        ),
      );
    },

    async keepUndispatched(jobs) {
      const first = jobs[0];
      if (first === undefined) return;
      // The frame and exclusion are the same in every job of a publish: stored once.
      const kept: KeptJobs = {
        frame: first.frame,
        ...(first.exclude ? { exclude: first.exclude } : {}),
        jobs: jobs.map(({ frame: _f, exclude: _e, ...job }) => job),
      };
      await send('update', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(first.publishId),
            ConditionExpression: 'attribute_exists(publishId)',
            UpdateExpression: 'SET undispatched = :jobs',
            ExpressionAttributeValues: { ':jobs': { S: JSON.stringify(kept) } },
          }),
        ),
      );
    },

    async takeUndispatched(roomId, publishId) {
      const result = await send('get', () =>
        client.send(
          new GetItemCommand({ TableName: tableName, Key: key(publishId), ConsistentRead: true, ProjectionExpression: 'roomId, expiresAt, undispatched' }),
        ),
      );
      const item = readable(result.Item, roomId, clock());
      const text = item?.undispatched?.S;
      if (text === undefined) return [];
      const kept = JSON.parse(text) as KeptJobs;
      return kept.jobs.map((job) => ({ ...job, frame: kept.frame, ...(kept.exclude ? { exclude: kept.exclude } : {}) }));
    },

    async clearUndispatched(publishId) {
      await send('update', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(publishId),
            UpdateExpression: 'REMOVE undispatched',
            ConditionExpression: 'attribute_exists(publishId)',
          }),
        ),
      );
    },

    async get(roomId, publishId) {
      const result = await send('get', () => client.send(new GetItemCommand({ TableName: tableName, Key: key(publishId), ConsistentRead: true })));
      const now = clock();
      const item = readable(result.Item, roomId, now);
      if (item === undefined) return undefined;
      const n = (name: string): number => Number(item[name]?.N ?? 0);
      const status = {
        publishId,
        roomId,
        shards: n('shards'),
        shardsDone: n('shardsDone'),
        shardsFailed: n('shardsFailed'),
        delivered: n('delivered'),
        failed: n('failed'),
        stale: n('stale'),
        throttled: n('throttled'),
        queuedAt: n('queuedAt'),
      };
      const started = item.startedShards?.NS?.length ?? 0;
      return { ...status, state: stateOf(status, started, now, options.deadlineSeconds) };
    },
  };
}

/**
 * The status item when it is this room's and not past its TTL (DynamoDB deletes expired items up
 * to days late). Another room's publish reads as unknown: a caller allowed on one room learns
 * nothing of others.
 */
function readable(item: Record<string, AttributeValue> | undefined, roomId: string, now: number): Record<string, AttributeValue> | undefined {
  return item !== undefined && item.roomId?.S === roomId && Number(item.expiresAt?.N ?? 0) > now ? item : undefined;
}

/** The `undispatched` attribute: the publish's frame once, then each job without it. */
interface KeptJobs {
  frame: string;
  exclude?: FanOutShardJob['exclude'];
  jobs: Omit<FanOutShardJob, 'frame' | 'exclude'>[];
}

function stateOf(status: Omit<PublishStatus, 'state'>, started: number, now: number, deadlineSeconds: number): PublishState {
  const finished = status.shardsDone + status.shardsFailed;
  if (finished >= status.shards) return status.shardsFailed > 0 ? 'incomplete' : 'done';
  if (now > status.queuedAt + deadlineSeconds) return 'incomplete';
  return started === 0 ? 'queued' : 'running';
}
