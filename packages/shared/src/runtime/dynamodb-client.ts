import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/**
 * The three factories (this one, `createSecretsManagerClient`, `createManagementApiClient`) are the
 * one place roomgate builds AWS SDK clients: each starts from its `*_CLIENT_SETTINGS`
 * (retries and request timeouts, see client-settings.ts) and applies `config` on top. `config`
 * carries where the client talks to (`endpoint`, and `region`/`credentials` for the local stack);
 * a test may lower `maxAttempts` to fail fast. A test in `tests/unit/runtime/client-settings.test.ts`
 * checks that no other source file calls `new …Client(`, and that each factory module imports one SDK client.
 */
export function createDynamoDbClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return withoutUnusedSdkLogger(new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...config }), config);
}
