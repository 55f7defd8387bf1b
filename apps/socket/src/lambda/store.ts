import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/connection-store';
import type { SocketConfig } from '../config.ts';
import { DYNAMODB_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';

export function createStore(config: SocketConfig): ConnectionStore {
  const dynamo = new DynamoDBClient({ ...DYNAMODB_CLIENT_SETTINGS, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  return createConnectionStore({ client: dynamo, tableName: config.tableName });
}
