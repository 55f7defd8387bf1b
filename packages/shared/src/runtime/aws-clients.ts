import { ApiGatewayManagementApiClient, type ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { DYNAMODB_CLIENT_SETTINGS, EVENTBRIDGE_CLIENT_SETTINGS, MANAGEMENT_CLIENT_SETTINGS, SECRETS_MANAGER_CLIENT_SETTINGS } from './client-settings.ts';

/**
 * The one place roomgate builds AWS SDK clients: each factory starts from its `*_CLIENT_SETTINGS`
 * (retries and request timeouts, see client-settings.ts) and applies `config` on top. `config`
 * carries where the client talks to (`endpoint`, and `region`/`credentials` for the local stack);
 * a test may lower `maxAttempts` to fail fast. A test in `tests/unit/runtime/client-settings.test.ts`
 * checks that no other source file calls `new …Client(`.
 */
export function createDynamoDbClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...config });
}

/** Secrets Manager (signing keys, public keys, API keys); see {@link createDynamoDbClient}. */
export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...SECRETS_MANAGER_CLIENT_SETTINGS, ...config });
}

/** EventBridge (lifecycle events, `PutEvents`); see {@link createDynamoDbClient}. */
export function createEventBridgeClient(config: EventBridgeClientConfig = {}): EventBridgeClient {
  return new EventBridgeClient({ ...EVENTBRIDGE_CLIENT_SETTINGS, ...config });
}

/**
 * API Gateway's management API (PostToConnection, DeleteConnection). `endpoint` is required: it is
 * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` (or serverless-offline's), never
 * derived from an event's `domainName`.
 */
export function createManagementApiClient(
  config: ApiGatewayManagementApiClientConfig & { endpoint: string },
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, ...config });
}

/**
 * `{ endpoint }` when one is configured, `{}` otherwise: a local endpoint (dynalite, the local
 * Secrets Manager) replaces the regional one, nothing else changes.
 */
export const endpointConfig = (endpoint: string | undefined): { endpoint?: string } => (endpoint ? { endpoint } : {});
