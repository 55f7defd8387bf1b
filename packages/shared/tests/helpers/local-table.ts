import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, loadHistoryTable, localClientConfig, startDynamo } from '@roomgate/local-aws';
// Brings in the ProvidedContext typing of dynamoEndpoint/tableName.
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { inject } from 'vitest';

export interface LocalTable {
  client: DynamoDBClient;
  tableName: string;
  close(): Promise<void>;
}

/**
 * The connections table on dynalite, created from apps/socket/resources/connections-table.yml.
 * Uses the devstack globalSetup's endpoint when the vitest config provides one, else starts a
 * private dynalite, so these tests run under either config.
 */
export async function localConnectionsTable(): Promise<LocalTable> {
  const provided = inject('dynamoEndpoint') as string | undefined;
  if (provided) {
    const client = new DynamoDBClient(localClientConfig(provided));
    return { client, tableName: inject('tableName'), close: async () => client.destroy() };
  }
  const dynamo = await startDynamo();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const tableName = `connections-${randomUUID()}`;
  await ensureTable(client, tableName);
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** Rooms are unique per test, so tests sharing one table never see each other's rows. */
export const uniqueRoom = (label = 'room'): string => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * The history table on dynalite (apps/socket/resources/history-table.yml): the devstack
 * globalSetup's table when provided, else a private dynalite.
 */
export async function localHistoryTable(): Promise<LocalTable> {
  const provided = inject('dynamoEndpoint') as string | undefined;
  if (provided) {
    const client = new DynamoDBClient(localClientConfig(provided));
    return { client, tableName: inject('historyTableName'), close: async () => client.destroy() };
  }
  const dynamo = await startDynamo();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const tableName = `history-${randomUUID()}`;
  await ensureTable(client, tableName, loadHistoryTable());
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}
