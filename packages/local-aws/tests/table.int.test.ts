import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, QueryCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONNECTIONS_TABLE_FILE, ensureTable, loadConnectionsTable } from '../src/table.ts';
import { dynamoClient, uniqueName } from './helpers/clients.ts';

let client: DynamoDBClient;
let dir: string;

beforeAll(() => {
  client = dynamoClient(inject('dynamoEndpoint'));
  dir = mkdtempSync(join(tmpdir(), 'roomgate-table-'));
});

afterAll(() => {
  client.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const yamlFile = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadConnectionsTable', () => {
  it('reads apps/socket/resources/connections-table.yml into CreateTable input', () => {
    expect(CONNECTIONS_TABLE_FILE).toMatch(/apps\/socket\/resources\/connections-table\.yml$/);
    expect(loadConnectionsTable()).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'connectionId', AttributeType: 'S' },
        { AttributeName: 'roomId', AttributeType: 'S' },
        { AttributeName: 'userId', AttributeType: 'S' },
        { AttributeName: 'tokenId', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byRoom',
          KeySchema: [
            { AttributeName: 'roomId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['userId', 'cap', 'connectedAt', 'expiresAt'] },
        },
        {
          IndexName: 'byUser',
          KeySchema: [
            { AttributeName: 'userId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['roomId', 'tokenIssuedAt', 'connectedAt'] },
        },
        {
          IndexName: 'byToken',
          KeySchema: [
            { AttributeName: 'tokenId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['roomId', 'userId', 'connectedAt'] },
        },
      ],
    });
  });

  it('tolerates short tags elsewhere in the resource and ignores TTL and TableName', () => {
    const path = yamlFile(
      'tags.yml',
      `ConnectionsTable:
  Type: AWS::DynamoDB::Table
  Properties:
    TableName: !Sub "\${AWS::StackName}-connections"
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
    KeySchema: [{ AttributeName: id, KeyType: HASH }]
    TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
    StreamSpecification: { StreamViewType: KEYS_ONLY }
    Tags: [{ Key: stack, Value: !Ref AWS::StackName }]
`,
    );
    expect(loadConnectionsTable(path)).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    });
  });

  it.each([
    ['missing resource', 'Other: { Type: AWS::DynamoDB::Table, Properties: {} }', /no ConnectionsTable/],
    ['wrong type', 'ConnectionsTable: { Type: AWS::S3::Bucket, Properties: {} }', /no ConnectionsTable/],
    ['no key schema', 'ConnectionsTable: { Type: AWS::DynamoDB::Table, Properties: { AttributeDefinitions: [] } }', /KeySchema is required/],
    [
      'intrinsic in a key',
      'ConnectionsTable: { Type: AWS::DynamoDB::Table, Properties: { AttributeDefinitions: [], KeySchema: [{ AttributeName: !Ref K, KeyType: HASH }] } }',
      /KeySchema uses an intrinsic function/,
    ],
    ['not YAML', 'ConnectionsTable: [', /cannot read table definition/],
  ])('rejects %s with ERR_TABLE_DEFINITION', (_label, text, message) => {
    const path = yamlFile(`${uniqueName('bad')}.yml`, text);
    expect(() => loadConnectionsTable(path)).toThrow(expect.objectContaining({ code: 'ERR_TABLE_DEFINITION', message: expect.stringMatching(message) }));
  });
});

describe('ensureTable', () => {
  it('the global setup created the test table with exactly the declared keys and index', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: inject('tableName') }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'connectionId', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([
      { AttributeName: 'connectionId', AttributeType: 'S' },
      { AttributeName: 'roomId', AttributeType: 'S' },
      { AttributeName: 'userId', AttributeType: 'S' },
      { AttributeName: 'tokenId', AttributeType: 'S' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['byRoom', 'byToken', 'byUser']);
    expect(Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'byRoom')).toMatchObject({
      IndexName: 'byRoom',
      KeySchema: [
        { AttributeName: 'roomId', KeyType: 'HASH' },
        { AttributeName: 'connectionId', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['userId', 'cap', 'connectedAt', 'expiresAt'] },
    });
  });

  it('is idempotent, and the byRoom index returns projected attributes only', async () => {
    const name = uniqueName('conn');
    await ensureTable(client, name);
    const again = await ensureTable(client, name);
    expect(again.TableName).toBe(name);
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: {
          connectionId: { S: 'c1' },
          roomId: { S: 'r1' },
          userId: { S: 'u1' },
          cap: { SS: ['publish'] },
          expiresAt: { N: '9' },
          connectedAt: { N: '1' },
          tokenExpiresAt: { N: '5' },
        },
      }),
    );
    const { Items } = await client.send(
      new QueryCommand({ TableName: name, IndexName: 'byRoom', KeyConditionExpression: 'roomId = :r', ExpressionAttributeValues: { ':r': { S: 'r1' } } }),
    );
    expect(Items).toEqual([
      { connectionId: { S: 'c1' }, roomId: { S: 'r1' }, userId: { S: 'u1' }, cap: { SS: ['publish'] }, expiresAt: { N: '9' }, connectedAt: { N: '1' } },
    ]);
    await client.send(new DeleteTableCommand({ TableName: name }));
  });

  it('fails with ERR_TABLE_MISMATCH when an existing table has another schema', async () => {
    const name = uniqueName('old');
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureTable(client, name)).rejects.toMatchObject({ code: 'ERR_TABLE_MISMATCH', message: expect.stringMatching(/global secondary indexes/) });
  });
});
