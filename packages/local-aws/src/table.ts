import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { parseCloudFormationYaml } from './cloudformation-yaml.ts';
import { LocalAwsError } from './errors.ts';

/** The single declaration of the connections table; apps/socket/serverless.yml includes it too. */
export const CONNECTIONS_TABLE_FILE = fileURLToPath(new URL('../../../apps/socket/resources/connections-table.yml', import.meta.url));
export const CONNECTIONS_TABLE_RESOURCE = 'ConnectionsTable';
/** The socket service's message history (the Rooms API imports it in AWS). */
export const HISTORY_TABLE_FILE = fileURLToPath(new URL('../../../apps/socket/resources/history-table.yml', import.meta.url));
export const HISTORY_TABLE_RESOURCE = 'HistoryTable';
/** Bans, revocations and single-use claims (the Rooms API imports it in AWS). */
export const ACCESS_TABLE_FILE = fileURLToPath(new URL('../../../apps/socket/resources/access-table.yml', import.meta.url));
export const ACCESS_TABLE_RESOURCE = 'AccessTable';
/** Sharded publishes' status (the Rooms API imports it in AWS). */
export const PUBLISHES_TABLE_FILE = fileURLToPath(new URL('../../../apps/socket/resources/publishes-table.yml', import.meta.url));
export const PUBLISHES_TABLE_RESOURCE = 'PublishesTable';

export type TableDefinition = Omit<CreateTableCommandInput, 'TableName'>;

type Properties = Record<string, unknown>;

/**
 * Reads the CloudFormation resource and keeps what CreateTable takes. TimeToLiveSpecification is
 * dropped: on AWS it is a separate UpdateTimeToLive call, which dynalite does not implement (nor
 * does it ever expire items), so locally stale rows only go away through $disconnect.
 */
export function loadConnectionsTable(path: string = CONNECTIONS_TABLE_FILE, resource: string = CONNECTIONS_TABLE_RESOURCE): TableDefinition {
  let document: unknown;
  try {
    document = parseCloudFormationYaml(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new LocalAwsError('ERR_TABLE_DEFINITION', `cannot read table definition ${path}`, { cause });
  }
  const entry = (document as Record<string, { Type?: unknown; Properties?: Properties }> | null)?.[resource];
  if (entry?.Type !== 'AWS::DynamoDB::Table' || typeof entry.Properties !== 'object' || entry.Properties === null) {
    throw new LocalAwsError('ERR_TABLE_DEFINITION', `${path} has no ${resource} of Type AWS::DynamoDB::Table with Properties`);
  }
  const p = entry.Properties;
  const definition: TableDefinition = {
    AttributeDefinitions: plain(p, 'AttributeDefinitions', path),
    KeySchema: plain(p, 'KeySchema', path),
  };
  const optional = ['BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'] as const;
  for (const field of optional) {
    if (p[field] !== undefined) Object.assign(definition, { [field]: plain(p, field, path) });
  }
  const stream = p.StreamSpecification as { StreamViewType?: string } | undefined;
  if (stream?.StreamViewType) definition.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.StreamViewType as never };
  return definition;
}

/** The history table's definition, from the file serverless.yml includes. */
export function loadHistoryTable(): TableDefinition {
  return loadConnectionsTable(HISTORY_TABLE_FILE, HISTORY_TABLE_RESOURCE);
}

/** The access table's definition, from the file serverless.yml includes. */
export function loadAccessTable(): TableDefinition {
  return loadConnectionsTable(ACCESS_TABLE_FILE, ACCESS_TABLE_RESOURCE);
}

/** The publishes table's definition, from the file serverless.yml includes. */
export function loadPublishesTable(): TableDefinition {
  return loadConnectionsTable(PUBLISHES_TABLE_FILE, PUBLISHES_TABLE_RESOURCE);
}

/** Creates the table unless it exists, waits until it is ACTIVE, and checks an existing one still matches. */
export async function ensureTable(client: DynamoDBClient, tableName: string, definition: TableDefinition = loadConnectionsTable()): Promise<TableDescription> {
  try {
    await client.send(new CreateTableCommand({ ...definition, TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const table = await waitForTableActive(client, tableName);
  // A table persisted by `pnpm dev --persist` may predate a schema change; failing loudly beats
  // queries that silently miss an index.
  const mismatch = schemaMismatch(definition, table);
  if (mismatch) {
    throw new LocalAwsError('ERR_TABLE_MISMATCH', `table ${tableName} exists with a different schema (${mismatch}); delete it or the persisted data directory`);
  }
  return table;
}

/**
 * Polls until the table and its indexes are ACTIVE. Even with createTableMs: 0 dynalite flips the
 * status on a later tick, and a write that arrives first fails with ResourceNotFoundException. The
 * SDK waiter's one-second minimum delay would cost every test run that second, hence a fast poll.
 */
export async function waitForTableActive(client: DynamoDBClient, tableName: string, timeoutMs = 60_000): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 1000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return Table;
    if (Date.now() + delay > deadline) {
      throw new LocalAwsError('ERR_TABLE_NOT_READY', `table ${tableName} is still ${Table?.TableStatus ?? 'unknown'} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Describes the first difference between the declared and the actual keys and indexes, if any. */
export function schemaMismatch(definition: TableDefinition, table: TableDescription): string | undefined {
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    JSON.stringify((schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`));
  if (keys(definition.KeySchema) !== keys(table.KeySchema)) return 'key schema';
  const declared = new Map((definition.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
  const actual = table.GlobalSecondaryIndexes ?? [];
  if (declared.size !== actual.length) return 'global secondary indexes';
  for (const index of actual) {
    const want = declared.get(index.IndexName);
    if (!want) return `unexpected index ${index.IndexName}`;
    if (keys(want.KeySchema) !== keys(index.KeySchema)) return `index ${index.IndexName} keys`;
    const projection = (p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) =>
      `${p?.ProjectionType}:${[...(p?.NonKeyAttributes ?? [])].sort().join(',')}`;
    if (projection(want.Projection) !== projection(index.Projection)) return `index ${index.IndexName} projection`;
  }
  return undefined;
}

/** Key fields must be literal data: an intrinsic function there cannot be resolved locally. */
function plain<T>(properties: Properties, field: string, path: string): T {
  const value = properties[field];
  if (value === undefined) throw new LocalAwsError('ERR_TABLE_DEFINITION', `${path}: ${field} is required`);
  if (hasIntrinsic(value)) {
    throw new LocalAwsError('ERR_TABLE_DEFINITION', `${path}: ${field} uses an intrinsic function, which local-aws cannot resolve`);
  }
  return structuredClone(value) as T;
}

function hasIntrinsic(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasIntrinsic);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key === 'Ref' || key.startsWith('Fn::') || hasIntrinsic(inner));
}
