import { createAccessStore } from '@roomgate/shared/access';
import { createEventBridgeEvents, noLifecycleEvents } from '@roomgate/shared/events';
import { createObservedStores } from '@roomgate/shared/presence';
import {
  createDynamoDbClient,
  createEventBridgeClient,
  createJsonLogger,
  createManagementApiClient,
  createMetrics,
  createLazySecretsManagerClient,
  type Metrics,
} from '@roomgate/shared/runtime';
import { createBroadcaster, createManagementApi, createPublishStatusFor, createShardingOptions } from '@roomgate/shared/delivery';
import { createHistoryStore } from '@roomgate/shared/history';
import { createApiKeySource, type ApiKeySource } from '../http/auth/api-key-source.ts';
import { localEndpoint } from '../http/aws-endpoints.ts';
import type { RoomsAppDeps } from './app.ts';
import type { RoomsApiConfig } from './config.ts';
import { createIdempotencyStore } from './idempotency-store.ts';
import { createListingCursors } from './listing-cursors.ts';

/**
 * The rooms function's AWS side, built once per container. SDK clients connect lazily, so this
 * costs no I/O; the api-keys secret loads on the first API-key request. Only the DynamoDB package
 * loads with the bundle: the management API, EventBridge, Lambda and Secrets Manager packages load
 * on their first call (runtime/lazy-client.ts), which a listing never makes.
 */
export function createRoomsRuntime(
  config: RoomsApiConfig,
  env: Record<string, string | undefined> = process.env,
): Omit<RoomsAppDeps, 'config' | 'iamIdentity' | 'apiKeys' | 'metrics'> & { apiKeys: ApiKeySource; metrics: Metrics } {
  const logger = createJsonLogger({ base: { service: 'roomgate-token-api', function: 'rooms', stage: config.stage }, level: config.logLevel });
  const metrics = createMetrics({ service: 'roomgate-token-api', defaultDimensions: { stage: config.stage } });
  // The socket service's retry and timeout settings: a hung post must not hold this function either.
  const dynamo = createDynamoDbClient(localEndpoint(config.dynamodbEndpoint, env));
  const management = createManagementApi({
    client: createManagementApiClient({ endpoint: config.managementEndpoint, ...localEndpoint(config.managementEndpoint, env) }),
  });
  const events =
    config.eventBusName === undefined
      ? noLifecycleEvents
      : createEventBridgeEvents({
          client: createEventBridgeClient(localEndpoint(config.eventsEndpoint, env)),
          busName: config.eventBusName,
          stage: config.stage,
          logger,
        });
  // Rows this function removes (a kick, a fan-out's clean-up) are announced like the socket's own.
  const { reader, store } = createObservedStores({
    client: dynamo,
    tableName: config.connectionsTableName,
    management,
    events,
    logger,
    maxRoomSize: config.presenceMaxRoomSize,
  });
  const publishStatus = createPublishStatusFor(config.sharding, dynamo);
  return {
    logger,
    metrics,
    events,
    store,
    // Large rooms: shards run in the socket stage's fan-out shard function (docs/architecture.md).
    sharding: createShardingOptions(config.sharding, publishStatus, reader),
    publishStatus,
    management,
    broadcaster: createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger }),
    history:
      config.historyTtlSeconds > 0 && config.historyTableName !== undefined
        ? createHistoryStore({
            client: dynamo,
            tableName: config.historyTableName,
            ttlSeconds: config.historyTtlSeconds,
            maxMessages: config.historyMaxMessages,
          })
        : undefined,
    access: createAccessStore({ client: dynamo, tableName: config.accessTableName }),
    idempotency: createIdempotencyStore({ client: dynamo, tableName: config.roomsTableName, ttlSeconds: config.idempotencyTtlSeconds, logger }),
    cursors: createListingCursors({ client: dynamo, tableName: config.roomsTableName }),
    apiKeys: createApiKeySource({
      // Built on the first API-key request: an IAM caller never loads the Secrets Manager package.
      client: createLazySecretsManagerClient(localEndpoint(config.secretsEndpoint, env)),
      secretId: config.apiKeysSecretId,
      maxAgeSeconds: config.secretsMaxAgeSeconds,
      logger,
      metrics,
    }),
  };
}
