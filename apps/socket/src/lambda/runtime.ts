import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/connection-store';
import { createBroadcaster, type Broadcaster } from '@roomgate/shared/fan-out';
import { createJwksSecretSource } from '@roomgate/shared/key-source';
import { createJsonLogger, type JsonLogger } from '@roomgate/shared/logger';
import { createManagementApi, type ManagementApi } from '@roomgate/shared/management-api';
import type { TokenVerifier } from '@roomgate/shared/types';
import { createVerifier } from '@roomgate/shared/verifier';
import { parseConfig, type SocketConfig } from '../config.ts';

export interface Runtime {
  config: SocketConfig;
  logger: JsonLogger;
  verifier: TokenVerifier;
  store: ConnectionStore;
  management: ManagementApi;
  broadcaster: Broadcaster;
}

/**
 * Real clients, built once per container at cold start. SDK clients connect lazily, so building
 * them costs no I/O; the public keys load on the first verify and a failed load is retried by the
 * next request (the key source never caches failures).
 */
export function createRuntime(env: Record<string, string | undefined>): Runtime {
  const config = parseConfig(env);
  const logger = createJsonLogger({ base: { service: 'roomgate-socket' }, level: config.logLevel });
  const dynamo = new DynamoDBClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {});
  const secrets = new SecretsManagerClient(config.secretsEndpoint ? { endpoint: config.secretsEndpoint } : {});
  const keys = createJwksSecretSource({ client: secrets, secretId: config.publicKeysSecretId, logger });
  const verifier = createVerifier({
    keys,
    ...(config.tokenIssuer !== undefined ? { issuer: config.tokenIssuer } : {}),
    ...(config.tokenAudience !== undefined ? { audience: config.tokenAudience } : {}),
    requireIssAud: config.requireIssAud,
    allowLegacy: config.allowLegacyTokens,
    clockToleranceSeconds: config.clockToleranceSeconds,
  });
  const store = createConnectionStore({ client: dynamo, tableName: config.tableName });
  const management = createManagementApi({ client: new ApiGatewayManagementApiClient({ endpoint: config.managementEndpoint }) });
  const broadcaster = createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger });
  return { config, logger, verifier, store, management, broadcaster };
}

let runtime: Runtime | undefined;

/** The container's runtime, created on first use from process.env. */
export function containerRuntime(): Runtime {
  runtime ??= createRuntime(process.env);
  return runtime;
}
