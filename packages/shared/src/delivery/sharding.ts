import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLambdaClient } from '../runtime/lambda-client.ts';
import type { ConnectionStore } from '../store/connection-store.ts';
import type { ShardingOptions } from './message-publisher.ts';
import { createPublishStatusStore, type PublishStatusStore } from './publish-status.ts';
import { createLambdaShardDispatcher } from './shard-dispatcher.ts';
import { FAN_OUT_SHARD_DEADLINE_SECONDS, type FanOutShardingConfig } from './sharding-config.ts';

/** The publishes table's store, or undefined when the stage runs without sharding. */
export function createPublishStatusFor(config: FanOutShardingConfig, dynamo: DynamoDBClient): PublishStatusStore | undefined {
  if (config.publishesTableName === undefined) return undefined;
  return createPublishStatusStore({ client: dynamo, tableName: config.publishesTableName, deadlineSeconds: FAN_OUT_SHARD_DEADLINE_SECONDS });
}

/**
 * What a publisher needs to shard a large room (asynchronous invocations of the shard function),
 * or undefined when FAN_OUT_SHARD_FUNCTION is unset or there is no publishes table (`status`, from
 * createPublishStatusFor, which the Rooms API also reads publishes with). Shared by `$default` and the Rooms API.
 */
export function createShardingOptions(
  config: FanOutShardingConfig,
  status: PublishStatusStore | undefined,
  store: Pick<ConnectionStore, 'listRoom'>,
): ShardingOptions | undefined {
  if (config.functionName === undefined || status === undefined) return undefined;
  return {
    store,
    status,
    dispatcher: createLambdaShardDispatcher({
      client: createLambdaClient(config.lambdaEndpoint === undefined ? {} : { endpoint: config.lambdaEndpoint }),
      functionName: config.functionName,
    }),
    threshold: config.threshold,
    shardSize: config.shardSize,
    maxShards: config.maxShards,
  };
}
