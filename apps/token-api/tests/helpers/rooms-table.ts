import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, loadConnectionsTable } from '@roomgate/local-aws';

/** The Rooms API's table declaration, the same file serverless.yml includes. */
export const ROOMS_TABLE_FILE = fileURLToPath(new URL('../../resources/rooms-table.yml', import.meta.url));
export const ROOMS_TABLE_RESOURCE = 'RoomsStateTable';

/** Creates the rooms table on dynalite from its one declaration (local-aws reads any table resource). */
export async function ensureRoomsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureTable(client, tableName, loadConnectionsTable(ROOMS_TABLE_FILE, ROOMS_TABLE_RESOURCE));
}
