import type { ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

/**
 * Retries and timeouts for every AWS SDK client roomgate builds (a test checks each `new …Client(`
 * in `src/` spreads one of these), set here on purpose
 * rather than inherited: the SDK defaults can be changed by `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`
 * or a profile, and they set no request timeout at all, so one hung call would hold the Lambda
 * until its own timeout.
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
 * Secrets Manager (keys, API keys): 2 attempts of at most 3 s. A caller waiting on a token or a
 * `$connect` is better served by a quick 503 than by the SDK's default retries against an
 * endpoint that is down; a failed load is not cached, so the next request tries again.
 */
export const SECRETS_MANAGER_CLIENT_SETTINGS = {
  maxAttempts: 2,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const satisfies SecretsManagerClientConfig;

/**
 * EventBridge (lifecycle events): 2 attempts of at most 2 s. Events go out after the work they
 * describe and never fail it, so a slow bus must not hold the handler long either.
 */
export const EVENTBRIDGE_CLIENT_SETTINGS = {
  maxAttempts: 2,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const satisfies EventBridgeClientConfig;

/**
 * Lambda (asynchronous Invoke of fan-out shards): 3 attempts of at most 3 s. An Invoke with
 * InvocationType Event only queues the event, so it answers in milliseconds; a retried Invoke whose
 * first attempt did queue starts the shard twice, and the shard's claim (PublishStatusStore.claimShard)
 * makes the second one a no-op.
 */
export const LAMBDA_CLIENT_SETTINGS = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const satisfies LambdaClientConfig;
