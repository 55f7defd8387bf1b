import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, loadConnectionsTable, loadHistoryTable, localClientConfig, startDynamo, type TableDefinition } from '@roomgate/local-aws';
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
export function localConnectionsTable(): Promise<LocalTable> {
  return localTable('tableName', 'connections', loadConnectionsTable);
}

/** Rooms are unique per test, so tests sharing one table never see each other's rows. */
export const uniqueRoom = (label = 'room'): string => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * The history table on dynalite (apps/socket/resources/history-table.yml): the devstack
 * globalSetup's table when provided, else a private dynalite.
 */
export function localHistoryTable(): Promise<LocalTable> {
  return localTable('historyTableName', 'history', loadHistoryTable);
}

/** The globalSetup's table `provided` names when it ran, else the table `load` declares, on a private dynalite. */
async function localTable(provided: 'tableName' | 'historyTableName', prefix: string, load: () => TableDefinition): Promise<LocalTable> {
  const endpoint = inject('dynamoEndpoint') as string | undefined;
  if (endpoint) {
    const client = new DynamoDBClient(localClientConfig(endpoint));
    return { client, tableName: inject(provided), close: async () => client.destroy() };
  }
  const dynamo = await startDynamo();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const tableName = `${prefix}-${randomUUID()}`;
  await ensureTable(client, tableName, load());
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}
