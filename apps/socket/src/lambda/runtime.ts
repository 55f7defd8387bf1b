import { ApiGatewayManagementApiClient, type ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
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
 * Retries and timeouts, set here on purpose rather than inherited: the SDK defaults can be changed
 * by `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE` or a profile, and they set no request timeout at all, so
 * one hung call would hold the Lambda until its own 10 s timeout.
 *
 * `standard` retry mode backs off exponentially with full jitter (each delay is random in
 * [0, base·2^n]; base 50 ms, 1 s for throttling such as ProvisionedThroughputExceededException),
 * so containers throttled together do not retry in lock-step; its per-client retry quota stops
 * retrying when most calls fail, so an outage does not turn into a retry storm.
 *
 * DynamoDB: 3 attempts of at most 3 s. On `$connect` a write that still fails refuses the
 * connection (503): an untracked connection would never receive a message.
 *
 * Management API: 2 attempts of at most 2 s, so a fan-out worker waits ~4 s at worst on a
 * connection that never answers, and the others keep delivering. A retried PostToConnection that
 * had in fact arrived is delivered twice: delivery is at-least-once.
 */
export const DYNAMODB_CLIENT_SETTINGS = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const satisfies DynamoDBClientConfig;

export const MANAGEMENT_CLIENT_SETTINGS = {
  maxAttempts: 2,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const satisfies ApiGatewayManagementApiClientConfig;

/**
 * Real clients, built once per container at cold start. SDK clients connect lazily, so building
 * them costs no I/O; the public keys load on the first verify and a failed load is retried by the
 * next request (the key source never caches failures).
 */
export function createRuntime(env: Record<string, string | undefined>): Runtime {
  const config = parseConfig(env);
  const logger = createJsonLogger({ base: { service: 'roomgate-socket' }, level: config.logLevel });
  const dynamo = new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
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
  const management = createManagementApi({
    client: new ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, endpoint: config.managementEndpoint }),
  });
  const broadcaster = createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger });
  return { config, logger, verifier, store, management, broadcaster };
}

let runtime: Runtime | undefined;

/** The container's runtime, created on first use from process.env. */
export function containerRuntime(): Runtime {
  runtime ??= createRuntime(process.env);
  return runtime;
}
