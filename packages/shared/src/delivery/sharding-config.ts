import type { EnvReader } from '../runtime/config.ts';

/**
 * Seconds after a sharded publish is queued by which every shard has reported or never will: the
 * shard function's `maximumEventAge` (300 s) plus its timeout (120 s) in apps/socket/serverless.yml.
 * An unfinished publish then reads `incomplete`.
 */
export const FAN_OUT_SHARD_DEADLINE_SECONDS = 300 + 120;

/** Large-room fan-out settings, read by both publishers (the socket's `$default`, the Rooms API) and the shard function. */
export interface FanOutShardingConfig {
  /** FAN_OUT_SHARD_THRESHOLD (default 1,000, 1-5,000): members a room may have and still fan out in the publishing invocation. */
  threshold: number;
  /** FAN_OUT_SHARD_SIZE (default 5,000, 10-50,000): target members per shard (measured: docs/benchmarks.md, large rooms). */
  shardSize: number;
  /** FAN_OUT_MAX_SHARDS (default 100, 2-1,000): most shards one publish starts. */
  maxShards: number;
  /** FAN_OUT_SHARD_CONCURRENCY (default 25, 1-200): posts in flight per shard. */
  shardConcurrency: number;
  /** FAN_OUT_SHARD_FUNCTION: the shard function's name; unset = every publish fans out in one invocation. */
  functionName: string | undefined;
  /** PUBLISHES_TABLE_NAME: sharded publishes' status; required with FAN_OUT_SHARD_FUNCTION. */
  publishesTableName: string | undefined;
  /** LAMBDA_ENDPOINT: local only, serverless-offline's Lambda Invoke API. */
  lambdaEndpoint: string | undefined;
}

/** Reads the FAN_OUT_* variables; problems are reported by the reader with the rest of the config. */
export function readFanOutSharding(read: EnvReader): FanOutShardingConfig {
  const functionName = read.optionalString('FAN_OUT_SHARD_FUNCTION');
  return {
    threshold: read.int('FAN_OUT_SHARD_THRESHOLD', { default: 1_000, min: 1, max: 5_000 }),
    shardSize: read.int('FAN_OUT_SHARD_SIZE', { default: 5_000, min: 10, max: 50_000 }),
    maxShards: read.int('FAN_OUT_MAX_SHARDS', { default: 100, min: 2, max: 1_000 }),
    shardConcurrency: read.int('FAN_OUT_SHARD_CONCURRENCY', { default: 25, min: 1, max: 200 }),
    functionName,
    publishesTableName: functionName === undefined ? read.optionalString('PUBLISHES_TABLE_NAME') : read.string('PUBLISHES_TABLE_NAME'),
    lambdaEndpoint: read.optionalString('LAMBDA_ENDPOINT') === undefined ? undefined : read.url('LAMBDA_ENDPOINT', { protocols: ['http:', 'https:'] }),
  };
}
