import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { localClientConfig, readPackagedTemplate } from '@roomgate/local-aws';
import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_ROLE, apiKeysSecret } from '../helpers/fixtures.ts';
import { httpApiEvent } from '../helpers/http-api-event.ts';
import { SERVICE_DIR, envWithoutAws, invokePackagedHandler } from '../helpers/processes.ts';
import { ensureRoomsTable } from '../helpers/rooms-table.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Export?: { Name: string } }> };

const SOCKET_DIR = join(SERVICE_DIR, '..', 'socket');
const OUT = mkdtempSync(join(tmpdir(), 'roomgate-rooms-package-'));
let tokenApi: Template;
let socket: Template;

/** `sls package --stage ci` of a service with no AWS credentials, into its own folders. */
function packageService(dir: string, name: string): Template {
  const out = join(OUT, name);
  execFileSync(join(dir, 'node_modules', '.bin', 'sls'), ['package', '--stage', 'ci', '--package', out], {
    cwd: dir,
    env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: `.esbuild-rooms-package-${process.pid}` }),
    stdio: 'pipe',
    timeout: 120_000,
  });
  rmSync(join(dir, `.esbuild-rooms-package-${process.pid}`), { recursive: true, force: true });
  return readPackagedTemplate<Template>(out);
}

beforeAll(() => {
  tokenApi = packageService(SERVICE_DIR, 'token-api');
  socket = packageService(SOCKET_DIR, 'socket');
}, 240_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** Every Fn::ImportValue name anywhere below `value`. */
function imports(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(imports);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'Fn::ImportValue' && typeof inner === 'string' ? [inner] : imports(inner)));
}

describe('Rooms API in sls package --stage ci (no AWS credentials)', () => {
  it('runs as its own function with its own role, 28 s, the socket stack’s table and endpoint imported', () => {
    const fn = tokenApi.Resources.RoomsLambdaFunction!;
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['RoomsLambdaRole', 'Arn'] });
    expect(fn.Properties.Timeout).toBe(28);
    expect((fn.Properties.Handler as string).endsWith('src/rooms/lambda.handler')).toBe(true);
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({
      CONNECTIONS_TABLE_NAME: { 'Fn::ImportValue': 'roomgate-socket-ci-ConnectionsTableName' },
      MANAGEMENT_ENDPOINT: { 'Fn::ImportValue': 'roomgate-socket-ci-ManagementEndpoint' },
      ROOMS_TABLE_NAME: { Ref: 'RoomsStateTable' },
      HISTORY_TABLE_NAME: { 'Fn::ImportValue': 'roomgate-socket-ci-HistoryTableName' },
      HISTORY_TTL_SECONDS: '600',
      HISTORY_MAX_MESSAGES: '1000',
      MAX_MESSAGE_BYTES: '32768',
    });
  });

  it('grants the rooms role exactly: Query on byRoom, DeleteItem on connections, its own table, ManageConnections on @connections, the api-keys secret', () => {
    type Statement = { Action: string[]; Resource: unknown };
    const policies = tokenApi.Resources.RoomsLambdaRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    const byAction = (action: string) => statements.filter((s) => s.Action.includes(action)).map((s) => JSON.stringify(s.Resource));
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:DeleteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Query',
        'dynamodb:Query',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'execute-api:ManageConnections',
        'lambda:InvokeFunction',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    const history = JSON.stringify({ 'Fn::ImportValue': 'roomgate-socket-ci-HistoryTableArn' });
    const access = JSON.stringify({ 'Fn::ImportValue': 'roomgate-socket-ci-AccessTableArn' });
    const index = (name: string) => ({ 'Fn::Join': ['/', [{ 'Fn::ImportValue': 'roomgate-socket-ci-ConnectionsTableArn' }, 'index', name]] });
    expect(byAction('dynamodb:Query')).toEqual([JSON.stringify(index('byRoom')), history, JSON.stringify([index('byUser'), index('byToken')]), access]);
    const publishes = JSON.stringify({ 'Fn::ImportValue': 'roomgate-socket-ci-PublishesTableArn' });
    expect(byAction('dynamodb:PutItem')).toEqual([history, publishes, access, JSON.stringify({ 'Fn::GetAtt': ['RoomsStateTable', 'Arn'] })]);
    // Bans and revocations only: the single-use claims (claim#…) are the socket role's alone.
    const accessStatement = statements.find((s) => JSON.stringify(s.Resource) === access) as Statement & { Condition?: unknown };
    expect(accessStatement.Action.slice().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(accessStatement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['room#*', 'jti#*', 'user#*'] } });
    // The history statement grants exactly append and read, nothing that rewrites or deletes.
    expect(
      statements
        .filter((s) => JSON.stringify(s.Resource) === history)
        .flatMap((s) => s.Action)
        .sort(),
    ).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    const manage = byAction('execute-api:ManageConnections')[0]!;
    expect(manage).toContain('/ci/POST/@connections/*');
    expect(manage).toContain('/ci/DELETE/@connections/*');
    expect(manage).toContain('roomgate-socket-ci-WebsocketApiId');
    // Lifecycle events: the socket stage's one bus, nothing else.
    expect(byAction('events:PutEvents')).toEqual([JSON.stringify({ 'Fn::ImportValue': 'roomgate-socket-ci-EventBusArn' })]);
    const secrets = byAction('secretsmanager:GetSecretValue');
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toContain(':secret:roomgate/ci/api-keys-??????');
    expect(secrets[0]).not.toMatch(/signing-key|public-keys/);
  });

  it('large rooms (issue 17): both roles may queue shards on this stage’s shard function only, and touch the publishes table only as they must', () => {
    type Statement = { Action: string[]; Resource: unknown; Condition?: unknown };
    const statementsOf = (template: Template, role: string) =>
      (template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);
    const rooms = statementsOf(tokenApi, 'RoomsLambdaRole');
    const sockets = statementsOf(socket, 'SocketLambdaRole');
    // No statement of either role is on every resource.
    for (const statement of [...rooms, ...sockets]) expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
    expect(rooms.filter((s) => s.Action.includes('lambda:InvokeFunction'))).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: { 'Fn::ImportValue': 'roomgate-socket-ci-FanOutShardFunctionArn' } },
    ]);
    expect(rooms.filter((s) => JSON.stringify(s.Resource).includes('PublishesTable'))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::ImportValue': 'roomgate-socket-ci-PublishesTableArn' },
      },
    ]);
    const invoke = sockets.filter((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain(':function:roomgate-socket-ci-fanOutShard"');
    expect(invoke[0]!.Action).toEqual(['lambda:InvokeFunction']);
    expect(sockets.filter((s) => JSON.stringify(s.Resource).includes('PublishesTable'))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': ['PublishesTable', 'Arn'] } },
    ]);
    // The shard function has no event source: no resource-based permission lets anything else invoke it.
    const permissions = Object.entries(socket.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');
    for (const [id, permission] of permissions) {
      expect(id).not.toMatch(/FanOutShard/);
      expect(permission.Properties.SourceArn, id).toBeDefined();
    }
    // Lambda's asynchronous retries and event age are set, not inherited.
    const invokeConfigs = Object.values(socket.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(invokeConfigs).toHaveLength(1);
    expect(invokeConfigs[0]!.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
    expect(socket.Resources.PublishesTable!.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'publishId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const shardEnv = (socket.Resources.FanOutShardLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(shardEnv).toMatchObject({ FAN_OUT_SHARD_THRESHOLD: '1000', FAN_OUT_SHARD_SIZE: '5000', FAN_OUT_MAX_SHARDS: '100', FAN_OUT_SHARD_CONCURRENCY: '25' });
    expect(socket.Resources.FanOutShardLambdaFunction!.Properties).toMatchObject({ Timeout: 120 });
  });

  it('declares its own table keyed by pk with TTL on expiresAt', () => {
    expect(tokenApi.Resources.RoomsStateTable!.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('imports only names the socket stack of the same stage exports', () => {
    const exported = new Set(Object.values(socket.Outputs ?? {}).flatMap((o) => (o.Export ? [o.Export.Name] : [])));
    const wanted = new Set(imports(tokenApi.Resources));
    expect(wanted.size).toBeGreaterThanOrEqual(4);
    for (const name of wanted) expect(exported, name).toContain(name);
  });

  it('the packaged rooms handler loads (top-level await) and serves all three routes against dynalite', async () => {
    const dynamoEndpoint = inject('dynamoEndpoint');
    const secretsEndpoint = inject('secretsEndpoint');
    const roomsTable = `roomgate-package-rooms-${process.pid}`;
    const dynamo = new DynamoDBClient(localClientConfig(dynamoEndpoint));
    await ensureRoomsTable(dynamo, roomsTable);
    dynamo.destroy();
    // Its own secret id, so this never collides with package.e2e.test.ts seeding stage "ci".
    const apiKeysSecretId = `roomgate/ci/rooms-package-${randomUUID()}`;
    const secrets = new SecretsManagerClient(localClientConfig(secretsEndpoint));
    await secrets.send(new CreateSecretCommand({ Name: apiKeysSecretId, SecretString: apiKeysSecret() }));
    secrets.destroy();

    const unzipped = join(OUT, 'unzipped');
    execFileSync('unzip', ['-q', join(OUT, 'token-api', 'roomgate-token-api.zip'), '-d', unzipped]);
    // No node_modules beside it: the bundle carries its SDK (serverless.yml, `exclude: []`).
    const iam = { userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-1' };
    const json = { 'content-type': 'application/json' };
    const events = [
      httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-empty/connections', iam }),
      httpApiEvent({ method: 'POST', path: '/v1/rooms/chat-empty/messages', headers: json, body: '{"data":"hi"}', iam }),
      httpApiEvent({ method: 'DELETE', path: '/v1/rooms/chat-empty/users/alice', iam }),
      httpApiEvent({ method: 'GET', path: '/v1/rooms/lobby/connections', iam }),
    ];
    const results = invokePackagedHandler(join(unzipped, 'src', 'rooms', 'lambda.mjs'), events, {
      STAGE: 'ci',
      IAM_CALLERS: JSON.stringify({ [CHAT_ROLE]: ['chat-*'] }),
      API_KEYS_SECRET_ID: apiKeysSecretId,
      SECRETS_ENDPOINT: secretsEndpoint,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      CONNECTIONS_TABLE_NAME: inject('tableName'),
      ROOMS_TABLE_NAME: roomsTable,
      HISTORY_TABLE_NAME: inject('historyTableName'),
      ACCESS_TABLE_NAME: inject('accessTableName'),
      // Never called: the room is empty.
      MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'warn',
    });
    expect(results.map((r) => [r.statusCode, JSON.parse(r.body)])).toEqual([
      [200, { connections: [], nextCursor: null }],
      [200, { publishId: expect.stringMatching(PUBLISH_ID_PATTERN), seq: expect.any(Number), epoch: expect.any(String), delivered: 0, failed: 0, stale: 0 }],
      [200, { disconnected: 0, failed: 0 }],
      [403, { error: { code: 'ERR_ROOM_FORBIDDEN', message: 'this caller may not act on room "lobby"' } }],
    ]);
  });

  it('grants the socket role PutItem and Query on the history table, nothing else there', () => {
    type Statement = { Action: string[]; Resource: unknown };
    const policies = socket.Resources.SocketLambdaRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    const onHistory = statements.filter((s) => JSON.stringify(s.Resource).includes('HistoryTable'));
    expect(onHistory).toEqual([{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: { 'Fn::GetAtt': ['HistoryTable', 'Arn'] } }]);
    expect(socket.Resources.HistoryTable!.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'roomId', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const env = (socket.Resources.DefaultLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ HISTORY_TABLE_NAME: { Ref: 'HistoryTable' }, HISTORY_TTL_SECONDS: '600', HISTORY_MAX_MESSAGES: '1000' });
  });

  it('declares one event bus per stage and grants both roles events:PutEvents on that bus only (issue 16)', () => {
    type Statement = { Action: string[]; Resource: unknown };
    expect(socket.Resources.EventBus).toEqual({ Type: 'AWS::Events::EventBus', Properties: { Name: 'roomgate-ci' } });
    const policies = socket.Resources.SocketLambdaRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    const onEvents = policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Action.some((a) => a.startsWith('events:')));
    expect(onEvents).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] } }]);
    for (const fn of ['ConnectLambdaFunction', 'DisconnectLambdaFunction', 'DefaultLambdaFunction']) {
      const env = (socket.Resources[fn]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env, fn).toMatchObject({ EVENT_BUS_NAME: { Ref: 'EventBus' }, STAGE: 'ci', PRESENCE_MAX_ROOM_SIZE: '100' });
    }
    const rooms = (tokenApi.Resources.RoomsLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(rooms).toMatchObject({ EVENT_BUS_NAME: { 'Fn::ImportValue': 'roomgate-socket-ci-EventBusName' }, PRESENCE_MAX_ROOM_SIZE: '100' });
  });

  it('the socket index projects what the listing returns', () => {
    const indexes = socket.Resources.ConnectionsTable!.Properties.GlobalSecondaryIndexes as Array<{
      IndexName: string;
      Projection: { NonKeyAttributes: string[] };
    }>;
    expect(indexes.find((i) => i.IndexName === 'byRoom')!.Projection.NonKeyAttributes).toEqual(
      expect.arrayContaining(['userId', 'cap', 'connectedAt', 'expiresAt']),
    );
  });
});
