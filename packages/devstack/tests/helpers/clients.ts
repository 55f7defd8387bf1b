import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';

export const secretsClient = (endpoint: string) => new SecretsManagerClient(localClientConfig(endpoint));
export const dynamoClient = (endpoint: string) => new DynamoDBClient(localClientConfig(endpoint));

/** Names unique per test, so tests sharing the global-setup servers never see each other's data. */
export const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
