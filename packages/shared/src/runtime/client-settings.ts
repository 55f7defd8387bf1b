import type { ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import type { STSClientConfig } from '@aws-sdk/client-sts';

/**
 * `standard` retry mode, `maxAttempts` attempts (the first one included), a connection within
 * `connectionTimeoutMs` and each attempt rejected after `requestTimeoutMs` (milliseconds).
 */
function settings(maxAttempts: number, connectionTimeoutMs: number, requestTimeoutMs: number) {
  return {
    maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  } as const;
}

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
 *
 * `requestTimeout` caps a whole call and rejects only with `throwOnRequestTimeout: true` in
 * @smithy/node-http-handler 4.4 and later; older versions ignore `throwOnRequestTimeout` and read
 * `requestTimeout` as an idle-socket timeout. Both services therefore bundle the SDK instead of
 * using the Lambda runtime's copy (serverless.yml `esbuild.exclude: []`; docs/benchmarks.md).
 */
export const DYNAMODB_CLIENT_SETTINGS = settings(3, 1_000, 3_000) satisfies DynamoDBClientConfig;

export const MANAGEMENT_CLIENT_SETTINGS = settings(2, 1_000, 2_000) satisfies ApiGatewayManagementApiClientConfig;

/**
 * Secrets Manager (keys, API keys): 2 attempts of at most 3 s. A caller waiting on a token or a
 * `$connect` is better served by a quick 503 than by the SDK's default retries against an
 * endpoint that is down; a failed load is not cached, so the next request tries again.
 */
export const SECRETS_MANAGER_CLIENT_SETTINGS = settings(2, 1_000, 3_000) satisfies SecretsManagerClientConfig;

/**
 * EventBridge (lifecycle events): 2 attempts of at most 2 s. Events go out after the work they
 * describe and never fail it, so a slow bus must not hold the handler long either.
 */
export const EVENTBRIDGE_CLIENT_SETTINGS = settings(2, 1_000, 2_000) satisfies EventBridgeClientConfig;

/**
 * CloudFormation and STS, used only by the deploy tooling on an operator's machine (`pnpm smoke`,
 * `pnpm stage policy`): 3 attempts of at most 5 s, so a wrong region or a network without a route
 * to AWS fails the command in seconds rather than after the SDK's unbounded wait.
 */
export const CLOUDFORMATION_CLIENT_SETTINGS = settings(3, 2_000, 5_000) satisfies CloudFormationClientConfig;

export const STS_CLIENT_SETTINGS = settings(3, 2_000, 5_000) satisfies STSClientConfig;

/**
 * Lambda (asynchronous Invoke of fan-out shards): 3 attempts of at most 3 s. An Invoke with
 * InvocationType Event only queues the event, so it answers in milliseconds; a retried Invoke whose
 * first attempt did queue starts the shard twice, and the shard's claim (PublishStatusStore.claimShard)
 * makes the second one a no-op.
 */
export const LAMBDA_CLIENT_SETTINGS = settings(3, 1_000, 3_000) satisfies LambdaClientConfig;
