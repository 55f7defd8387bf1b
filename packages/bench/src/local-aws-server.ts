import { ensureTable, loadAccessTable, loadHistoryTable, loadPublishesTable, localClientConfig, startLocalAws } from '@roomgate/local-aws';
import { createDynamoDbClient } from '@roomgate/shared/runtime';
import type { LocalEndpoints } from './lib/local-stack.ts';

/**
 * dynalite and the local Secrets Manager in their own process, so their CPU time does not land
 * in the event loop being measured. Prints one JSON line with the endpoints, then serves until
 * its parent closes stdin.
 */
const aws = await startLocalAws();
const client = createDynamoDbClient(localClientConfig(aws.dynamoEndpoint));
const tableName = process.argv[2] ?? 'roomgate-bench-connections';
await ensureTable(client, tableName);
const prefix = tableName.replace(/-connections$/, '');
const historyTableName = `${prefix}-history`;
await ensureTable(client, historyTableName, loadHistoryTable());
const accessTableName = `${prefix}-access`;
await ensureTable(client, accessTableName, loadAccessTable());
// Sharded publishes' status (large-room section).
const publishesTableName = `${prefix}-publishes`;
await ensureTable(client, publishesTableName, loadPublishesTable());
client.destroy();
const endpoints: LocalEndpoints = {
  dynamoEndpoint: aws.dynamoEndpoint,
  secretsEndpoint: aws.secretsEndpoint,
  tableName,
  historyTableName,
  accessTableName,
  publishesTableName,
};
process.stdout.write(`${JSON.stringify(endpoints)}\n`);
process.stdin.resume();
process.stdin.on('end', () => void aws.close().then(() => process.exit(0)));
