import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConnectionStore } from '@roomgate/shared/store';
import { createEventBridgeEvents, noLifecycleEvents } from '@roomgate/shared/events';
import { combineObservers, createLifecycleObserver, createRoomPresence } from '@roomgate/shared/presence';
import { DYNAMODB_CLIENT_SETTINGS, MANAGEMENT_CLIENT_SETTINGS, createEventBridgeClient, createJsonLogger } from '@roomgate/shared/runtime';
import { createBroadcaster, createManagementApi } from '@roomgate/shared/delivery';
import { createHistoryStore } from '@roomgate/shared/history';
import { createApiKeySource, type ApiKeySource } from '../http/auth/api-key-source.ts';
import { localEndpoint, secretsClientConfig } from '../http/aws-endpoints.ts';
import type { RoomsAppDeps } from './app.ts';
import type { RoomsApiConfig } from './config.ts';
import { createIdempotencyStore } from './idempotency-store.ts';
import { createListingCursors } from './listing-cursors.ts';

/**
 * The rooms function's AWS side, built once per container. SDK clients connect lazily, so this
 * costs no I/O; the api-keys secret loads on the first API-key request.
 */
export function createRoomsRuntime(config: RoomsApiConfig, env: Record<string, string | undefined> = process.env): Omit<RoomsAppDeps, 'config' | 'iamIdentity' | 'apiKeys'> & { apiKeys: ApiKeySource } {
  const logger = createJsonLogger({ base: { service: 'token-api', function: 'rooms', stage: config.stage } });
  // The socket service's retry and timeout settings: a hung post must not hold this function either.
  const dynamo = new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...localEndpoint(config.dynamodbEndpoint, env) });
  const management = createManagementApi({
    client: new ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, ...localEndpoint(config.managementEndpoint, env) }),
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
  const reader = createConnectionStore({ client: dynamo, tableName: config.connectionsTableName });
  const presence = createRoomPresence({ store: reader, management, logger, maxRoomSize: config.presenceMaxRoomSize });
  const store = createConnectionStore({ client: dynamo, tableName: config.connectionsTableName, observer: combineObservers(presence, createLifecycleObserver(events)) });
  return {
    logger,
    events,
    store,
    management,
    broadcaster: createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger }),
    history:
      config.historyTtlSeconds > 0 && config.historyTableName !== undefined
        ? createHistoryStore({ client: dynamo, tableName: config.historyTableName, ttlSeconds: config.historyTtlSeconds, maxMessages: config.historyMaxMessages })
        : undefined,
    idempotency: createIdempotencyStore({ client: dynamo, tableName: config.roomsTableName, ttlSeconds: config.idempotencyTtlSeconds, logger }),
    cursors: createListingCursors({ client: dynamo, tableName: config.roomsTableName }),
    apiKeys: createApiKeySource({
      client: new SecretsManagerClient(secretsClientConfig(config.secretsEndpoint, env)),
      secretId: config.apiKeysSecretId,
      maxAgeSeconds: config.secretsMaxAgeSeconds,
      logger,
    }),
  };
}
