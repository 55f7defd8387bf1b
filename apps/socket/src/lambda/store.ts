import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/connection-store';
import type { SocketConfig } from '../config.ts';
import { DYNAMODB_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';

/** One DynamoDB client per container; the connection and history stores share its connections. */
export function createDynamoClient(config: SocketConfig): DynamoDBClient {
  return new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
}

export function createStore(config: SocketConfig, dynamo: DynamoDBClient = createDynamoClient(config)): ConnectionStore {
  return createConnectionStore({ client: dynamo, tableName: config.tableName });
}
