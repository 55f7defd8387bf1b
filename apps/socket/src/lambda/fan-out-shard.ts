import { createPublishStatusFor } from '@roomgate/shared/delivery';
import { withInvocation } from '@roomgate/shared/runtime';
import { makeFanOutShardHandler } from '../handlers/fan-out-shard.ts';
import { createBase } from './base.ts';
import { createPresenceParts } from './presence.ts';
import { createDynamoClient } from './store.ts';

// Module scope = once per container. The store is the observed one, so a shard's 410 clean-up
// announces the leave and emits the event like every other fan-out.
const { config, logger, metrics } = createBase(process.env);
const dynamo = createDynamoClient(config);
const { store, management } = createPresenceParts(config, logger, dynamo);
const status = createPublishStatusFor(config.sharding, dynamo);

/**
 * The fan-out shard function: invoked asynchronously (InvocationType Event) by a publisher with
 * one FanOutShardJob (docs/architecture.md, "Large rooms"). Throws on a bad event or when its
 * range cannot be listed, so the failure shows in the function's error metrics; the shard's claim
 * keeps Lambda's retries of it from posting twice. Its lines carry the invocation's ids and the
 * job's publish and shard; its metrics are flushed after each invocation, thrown or not.
 */
export const handler = withInvocation(
  { logger, metrics },
  shardEventFields,
  makeFanOutShardHandler({ store, management, status, logger, metrics, concurrency: config.sharding.shardConcurrency }),
);

/** The publish and shard of a job, on every line of its invocation (whatever the event, so a bad one is still traceable). */
function shardEventFields(event: unknown): Record<string, unknown> {
  if (typeof event !== 'object' || event === null) return {};
  const { publishId, index } = event as { publishId?: unknown; index?: unknown };
  return { ...(typeof publishId === 'string' ? { publishId } : {}), ...(typeof index === 'number' ? { shard: index } : {}) };
}
