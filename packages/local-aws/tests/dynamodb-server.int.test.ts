import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamo } from '../src/dynamodb-server.ts';
import { waitForTableActive } from '../src/table.ts';
import { dynamoClient } from './helpers/clients.ts';

const table = {
  TableName: 'tbl',
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  BillingMode: 'PAY_PER_REQUEST' as const,
};

describe('startDynamo', () => {
  it('serves the DynamoDB API in memory on a free port and frees the port on close', async () => {
    const dynamo = await startDynamo({ port: 0 });
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);
    const client = dynamoClient(dynamo.endpoint);
    await client.send(new CreateTableCommand(table));
    await waitForTableActive(client, 'tbl');
    expect((await client.send(new DescribeTableCommand({ TableName: 'tbl' }))).Table?.TableStatus).toBe('ACTIVE');
    await client.send(new PutItemCommand({ TableName: 'tbl', Item: { id: { S: 'a' }, n: { N: '1' } } }));
    expect((await client.send(new GetItemCommand({ TableName: 'tbl', Key: { id: { S: 'a' } } }))).Item?.n).toEqual({ N: '1' });

    // close() must not hang on the SDK's kept-alive socket.
    await dynamo.close();
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();

    const again = await startDynamo({ port: dynamo.port });
    const fresh = dynamoClient(again.endpoint);
    expect((await fresh.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    fresh.destroy();
    await again.close();
  });

  it('keeps tables and items in a persist directory across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-ddb-'));
    try {
      const first = await startDynamo({ path: join(dir, 'db') });
      const c1 = dynamoClient(first.endpoint);
      await c1.send(new CreateTableCommand(table));
      await waitForTableActive(c1, 'tbl');
      await c1.send(new PutItemCommand({ TableName: 'tbl', Item: { id: { S: 'kept' } } }));
      c1.destroy();
      await first.close();

      const second = await startDynamo({ path: join(dir, 'db') });
      const c2 = dynamoClient(second.endpoint);
      expect((await c2.send(new GetItemCommand({ TableName: 'tbl', Key: { id: { S: 'kept' } } }))).Item).toEqual({ id: { S: 'kept' } });
      c2.destroy();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
