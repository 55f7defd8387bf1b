import { createPublishStatusFor, parseFanOutShardJob, runFanOutShard, type FanOutShardResult } from '@roomgate/shared/delivery';
import { createBase } from './base.ts';
import { createPresenceParts } from './presence.ts';
import { createDynamoClient } from './store.ts';

// Module scope = once per container. The store is the observed one, so a shard's 410 clean-up
// announces the leave and emits the event like every other fan-out.
const { config, logger } = createBase(process.env);
const dynamo = createDynamoClient(config);
const { store, management } = createPresenceParts(config, logger, dynamo);
const status = createPublishStatusFor(config.sharding, dynamo);

/**
 * The fan-out shard function: invoked asynchronously (InvocationType Event) by a publisher with
 * one FanOutShardJob (docs/architecture.md, "Large rooms"). Throws on a bad event or when its
 * range cannot be listed, so the failure shows in the function's error metrics; the shard's claim
 * keeps Lambda's retries of it from posting twice.
 */
export async function handler(event: unknown): Promise<FanOutShardResult> {
  if (status === undefined) throw new Error('PUBLISHES_TABLE_NAME is required for the fan-out shard function');
  const job = parseFanOutShardJob(event);
  return runFanOutShard({ store, management, status, logger, concurrency: config.sharding.shardConcurrency }, job);
}
