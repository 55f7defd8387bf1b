import { describe, expect, it } from 'vitest';
import {
  createCloudFormationClient,
  createDynamoDbClient,
  createEventBridgeClient,
  createLambdaClient,
  createManagementApiClient,
  createSecretsManagerClient,
  createStsClient,
} from '../../../src/runtime/aws-clients.ts';
import { createLazySecretsManagerClient } from '../../../src/runtime/secrets-manager-lazy-client.ts';
import { clientOf } from '../../../src/runtime/lazy-client.ts';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const factories = [
  ['DynamoDB', () => createDynamoDbClient(local), () => createDynamoDbClient({ ...local, logger: console })],
  [
    'management API',
    () => createManagementApiClient({ ...local, endpoint: 'http://127.0.0.1:1' }),
    () => createManagementApiClient({ ...local, endpoint: 'http://127.0.0.1:1', logger: console }),
  ],
  ['Secrets Manager', () => createSecretsManagerClient(local), () => createSecretsManagerClient({ ...local, logger: console })],
  ['EventBridge', () => createEventBridgeClient(local), () => createEventBridgeClient({ ...local, logger: console })],
  ['CloudFormation', () => createCloudFormationClient(local), () => createCloudFormationClient({ ...local, logger: console })],
  ['STS', () => createStsClient(local), () => createStsClient({ ...local, logger: console })],
  ['Lambda', () => createLambdaClient(local), () => createLambdaClient({ ...local, logger: console })],
  ['Secrets Manager (lazy)', () => createLazySecretsManagerClient(local), () => createLazySecretsManagerClient({ ...local, logger: console })],
] as const;

type Client = { middlewareStack: { identify(): string[] }; destroy(): void };

const hasLogger = (client: Client): boolean => {
  const found = client.middlewareStack.identify().some((entry) => entry.startsWith('loggerMiddleware'));
  client.destroy();
  return found;
};

describe('the SDK logger middleware (it filters every response against its schema for a no-op logger)', () => {
  // Lazy factories (management API, EventBridge, Lambda, lazy Secrets Manager) build on first use: the rule holds for what they build.
  it.each(factories)('%s: gone from a client built without a logger, kept with one', async (_name, plain, logged) => {
    expect(hasLogger(await clientOf<Client>(plain()))).toBe(false);
    expect(hasLogger(await clientOf<Client>(logged()))).toBe(true);
  });
});
