import { ensureTable, loadAccessTable, loadHistoryTable, loadPublishesTable, localClientConfig, startLocalAws } from '@roomgate/local-aws';
import { createDynamoDbClient } from '@roomgate/shared/runtime';

/**
 * dynalite and the local Secrets Manager in their own process, so their CPU time does not land
 * in the event loop being measured. Prints one JSON line with the endpoints, then serves until
 * its parent closes stdin.
 */
const aws = await startLocalAws();
const client = createDynamoDbClient(localClientConfig(aws.dynamoEndpoint));
const tableName = process.argv[2] ?? 'roomgate-bench-connections';
await ensureTable(client, tableName);
const historyTableName = `${tableName.replace(/-connections$/, '')}-history`;
await ensureTable(client, historyTableName, loadHistoryTable());
await ensureTable(client, `${tableName.replace(/-connections$/, '')}-access`, loadAccessTable());
// Sharded publishes' status (large-room section).
await ensureTable(client, `${tableName.replace(/-connections$/, '')}-publishes`, loadPublishesTable());
client.destroy();
process.stdout.write(`${JSON.stringify({ dynamoEndpoint: aws.dynamoEndpoint, secretsEndpoint: aws.secretsEndpoint, tableName, historyTableName })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void aws.close().then(() => process.exit(0)));
