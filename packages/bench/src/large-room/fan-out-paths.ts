import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  FAN_OUT_SHARD_DEADLINE_SECONDS,
  createBroadcaster,
  createMessagePublisher,
  createPublishStatusStore,
  realSleep,
  runFanOutShard,
  type ManagementApi,
  type PublishStatus,
  type ShardingOptions,
} from '@roomgate/shared/delivery';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { Logger } from '@roomgate/shared/runtime';
import { createInProcessShards } from './in-process-shards.ts';

/** The production parts a fan-out runs on, with the simulator as the management API. */
export interface FanOutParts {
  dynamo: DynamoDBClient;
  store: ConnectionStore;
  publishesTableName: string;
  management: ManagementApi;
  logger: Logger;
}

/** What a path reports beside the simulator's counts. */
export interface FanOutReport {
  /** ms from the publish call until it returned (for the sharded path: until its shards were queued) */
  returnedMs: number;
  shards?: number;
  /** throttle backoff waits and their sum in ms, over all shards */
  backoff?: { waits: number; ms: number };
  /** the publish's status after every shard finished */
  status?: PublishStatus | undefined;
  shardErrors?: number;
  /** what the first shard that threw said (its error and, when there is one, its cause) */
  firstShardError?: string;
}

/** One way of fanning a message out; resolves when every post has been answered. */
export interface FanOutPath {
  name: string;
  publish(parts: FanOutParts, roomId: string, data: unknown): Promise<FanOutReport>;
}

/** The single-invocation fan-out the socket service ran before issue 17 (FAN_OUT_CONCURRENCY in apps/socket/serverless.yml). */
export const SINGLE_CONCURRENCY = 20;

/** The socket service's default MAX_MESSAGE_BYTES (DEFAULT_MAX_MESSAGE_BYTES in @roomgate/protocol). */
const MAX_FRAME_BYTES = 32 * 1024;

/** The production publisher with history off, as both paths build it; without `sharding` every publish fans out in the caller. */
const publisherOf = (parts: FanOutParts, sharding?: ShardingOptions) =>
  createMessagePublisher({
    broadcaster: createBroadcaster({ ...parts, concurrency: SINGLE_CONCURRENCY }),
    history: undefined,
    maxFrameBytes: MAX_FRAME_BYTES,
    sharding,
  });

/** Today's path for every room before issue 17: one invocation lists the room and posts, 20 in flight, no retries. */
export const singleInvocation: FanOutPath = {
  name: `one invocation, broadcast() ${SINGLE_CONCURRENCY} in flight`,
  async publish(parts, roomId, data) {
    const publisher = publisherOf(parts);
    const start = performance.now();
    await publisher.publish({ roomId, data });
    return { returnedMs: performance.now() - start };
  },
};

/** The sharded fan-out's settings, as the deployed stage gives them. */
export interface ShardedSettings {
  threshold: number;
  shardSize: number;
  maxShards: number;
  shardConcurrency: number;
  /** shard invocations Lambda runs at once: reserved concurrency, or the account's 1,000 unreserved */
  lambdaConcurrency: number;
}

/**
 * The production publisher with sharding on: it reads the room's first page, plans the shards,
 * writes the status to the publishes table and dispatches the jobs; each job then runs the
 * production `runFanOutShard` as a separate in-process "invocation" (createInProcessShards).
 */
export function sharded(settings: ShardedSettings): FanOutPath {
  return {
    name: `sharded: ~${settings.shardSize.toLocaleString('en-US')} members/shard, ${settings.shardConcurrency} in flight each, ≤ ${settings.lambdaConcurrency} shards at once`,
    async publish(parts, roomId, data) {
      const status = createPublishStatusStore({ client: parts.dynamo, tableName: parts.publishesTableName, deadlineSeconds: FAN_OUT_SHARD_DEADLINE_SECONDS });
      const backoff = { waits: 0, ms: 0 };
      const sleep = (ms: number) => {
        backoff.waits += 1;
        backoff.ms += ms;
        return realSleep(ms);
      };
      const shards = createInProcessShards({
        concurrency: settings.lambdaConcurrency,
        run: (job) =>
          runFanOutShard(
            { store: parts.store, management: parts.management, status, logger: parts.logger, concurrency: settings.shardConcurrency, retry: { sleep } },
            job,
          ),
      });
      const publisher = publisherOf(parts, {
        store: parts.store,
        dispatcher: shards,
        status,
        threshold: settings.threshold,
        shardSize: settings.shardSize,
        maxShards: settings.maxShards,
      });
      const start = performance.now();
      const published = await publisher.publish({ roomId, data });
      const returnedMs = performance.now() - start;
      const { errors } = await shards.settled();
      return {
        returnedMs,
        shards: published.queued?.shards ?? 0,
        backoff,
        status: await status.get(roomId, published.publishId),
        shardErrors: errors.length,
        ...(errors[0] === undefined ? {} : { firstShardError: describe(errors[0]) }),
      };
    },
  };
}

const describe = (error: unknown): string => {
  const cause = (error as { cause?: { name?: string; message?: string } } | undefined)?.cause;
  const own = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return cause === undefined ? own : `${own} (cause ${cause.name ?? ''}: ${cause.message ?? ''})`;
};
