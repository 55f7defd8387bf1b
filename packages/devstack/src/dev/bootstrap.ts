import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTable, loadConnectionsTable, localClientConfig } from '@roomgate/local-aws';
import { createDynamoDbClient, createSecretsManagerClient } from '@roomgate/shared/runtime';
import { ApiKeyAdmin } from '../api-key-admin.ts';
import { accessTableNameOf, historyTableNameOf, publishesTableNameOf } from './offline-specs.ts';
import { KeyAdmin, type KeySummary } from '../key-admin.ts';
import { ensureDevApiKey } from './dev-api-key.ts';

/** The Rooms API's table, declared next to the function that owns it (apps/token-api). */
export const ROOMS_TABLE = { file: join('apps', 'token-api', 'resources', 'rooms-table.yml'), resource: 'RoomsStateTable' };
/** The socket service's message history; the Rooms API writes and reads it too. */
export const HISTORY_TABLE = { file: join('apps', 'socket', 'resources', 'history-table.yml'), resource: 'HistoryTable' };
/** Bans, revocations and single-use claims; the socket service reads it, the Rooms API writes it. */
export const ACCESS_TABLE = { file: join('apps', 'socket', 'resources', 'access-table.yml'), resource: 'AccessTable' };
export const PUBLISHES_TABLE = { file: join('apps', 'socket', 'resources', 'publishes-table.yml'), resource: 'PublishesTable' };

export interface BootstrapInput {
  repoRoot: string;
  stage: string;
  tableName: string;
  roomsTableName: string;
  dynamoEndpoint: string;
  secretsEndpoint: string;
  dataDir: string | undefined;
}

export interface BootstrapResult {
  signingKey: KeySummary;
  signingKeyCreated: boolean;
  devApiKey: string;
  /** where the dev API key is kept, with --persist */
  devApiKeyFile?: string;
}

/**
 * Everything the services expect to exist before they start, each step idempotent so a
 * persisted stack starts again unchanged: the connections, history, access and rooms tables (from the same
 * declarations the serverless.yml files include), the signing key with its JWKS, and the dev API key.
 */
export async function bootstrapStage(input: BootstrapInput): Promise<BootstrapResult> {
  const dynamo = createDynamoDbClient(localClientConfig(input.dynamoEndpoint));
  const secrets = createSecretsManagerClient(localClientConfig(input.secretsEndpoint));
  try {
    await ensureTable(dynamo, input.tableName);
    const roomsFile = join(input.repoRoot, ROOMS_TABLE.file);
    // Optional so a checkout without the Rooms API (or a test's fake repository) still starts.
    if (existsSync(roomsFile)) await ensureTable(dynamo, input.roomsTableName, loadConnectionsTable(roomsFile, ROOMS_TABLE.resource));
    const historyFile = join(input.repoRoot, HISTORY_TABLE.file);
    if (existsSync(historyFile)) {
      await ensureTable(dynamo, historyTableNameOf(input.stage), loadConnectionsTable(historyFile, HISTORY_TABLE.resource));
    }
    const accessFile = join(input.repoRoot, ACCESS_TABLE.file);
    if (existsSync(accessFile)) await ensureTable(dynamo, accessTableNameOf(input.stage), loadConnectionsTable(accessFile, ACCESS_TABLE.resource));
    const publishesFile = join(input.repoRoot, PUBLISHES_TABLE.file);
    if (existsSync(publishesFile)) {
      await ensureTable(dynamo, publishesTableNameOf(input.stage), loadConnectionsTable(publishesFile, PUBLISHES_TABLE.resource));
    }
    const { created, status } = await new KeyAdmin({ client: secrets, stage: input.stage }).create({ ifMissing: true });
    const devKey = await ensureDevApiKey(new ApiKeyAdmin({ client: secrets, stage: input.stage }), input.dataDir);
    return {
      signingKey: status.current!,
      signingKeyCreated: created,
      devApiKey: devKey.key,
      ...(devKey.file !== undefined ? { devApiKeyFile: devKey.file } : {}),
    };
  } finally {
    dynamo.destroy();
    secrets.destroy();
  }
}
