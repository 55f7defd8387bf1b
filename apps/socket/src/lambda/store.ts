import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { createDynamoDbClient, endpointConfig } from '@roomgate/shared/runtime';
import type { SocketConfig } from '../config.ts';

/** One DynamoDB client per container; the connection and history stores share its connections. */
export function createDynamoClient(config: SocketConfig): DynamoDBClient {
  return createDynamoDbClient(endpointConfig(config.dynamodbEndpoint));
}

export function createStore(config: SocketConfig, dynamo: DynamoDBClient = createDynamoClient(config)): ConnectionStore {
  return createConnectionStore({ client: dynamo, tableName: config.tableName });
}
