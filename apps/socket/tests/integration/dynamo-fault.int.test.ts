import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  RequestLimitExceeded,
} from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { createBroadcaster } from '@roomgate/shared/delivery';
import { createSigner, type TokenSigner, type TokenVerifier, createVerifier, staticKeys } from '@roomgate/shared/tokens';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { makeTestKey } from '@roomgate/shared/testing';
import { makeConnectHandler } from '../../src/handlers/connect.ts';
import { makeDefaultHandler } from '../../src/handlers/default.ts';
import { makeDisconnectHandler } from '../../src/handlers/disconnect.ts';
import { DYNAMODB_CLIENT_SETTINGS, createRuntime, type Runtime } from '../../src/lambda/runtime.ts';
import { localRuntimeEnv, stubLocalAwsEnv } from '../helpers/local-runtime.ts';
import { admitAll, noRateLimit, fakeManagement, memoryLogger } from '../helpers/fakes.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

/**
 * DynamoDB throttling (ProvisionedThroughputExceededException), 5xx and hung calls on `$connect`,
 * `$disconnect` and fan-out. The store comes from the socket's own runtime (`createRuntime`), so
 * the SDK client settings under test are the deployed ones; a loopback fault proxy in front of
 * dynalite produces the faults, so the SDK's real retry strategy meets them. Checks read the
 * table directly, not through the proxy.
 */

const ISS = 'roomgate';
const AUD = 'roomgate-socket';
const MAX_ATTEMPTS = DYNAMODB_CLIENT_SETTINGS.maxAttempts;

let proxy: FaultProxy;
let runtime: Runtime;
let direct: DynamoDBClient;
let table: ConnectionStore;
let signer: TokenSigner;
let verifier: TokenVerifier;

beforeAll(async () => {
  // The environment asks for 7 attempts; the runtime's explicit settings must win.
  vi.stubEnv('AWS_MAX_ATTEMPTS', '7');
  vi.stubEnv('AWS_RETRY_MODE', 'legacy');
  stubLocalAwsEnv();
  proxy = await startFaultProxy(inject('dynamoEndpoint'));
  runtime = createRuntime(localRuntimeEnv({ DYNAMODB_ENDPOINT: proxy.endpoint }));
  direct = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  table = createConnectionStore({ client: direct, tableName: inject('tableName') });
  const key = await makeTestKey('RS256');
  signer = createSigner({ key: key.signing, issuer: ISS, audience: AUD });
  verifier = createVerifier({ keys: staticKeys([key.verification]), issuer: ISS, audience: AUD });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  direct?.destroy();
  await proxy?.close();
});

const room = () => `fault-${randomUUID().slice(0, 8)}`;
const connectEvent = (connectionId: string, token: string) => ({
  requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' as const },
  queryStringParameters: { token },
});

async function connect(roomId: string) {
  const connectionId = `c-${randomUUID()}`;
  const { token } = await signer.sign({ roomId, userId: 'alice', ttlSeconds: 300 });
  const logger = memoryLogger();
  const result = await makeConnectHandler({ admission: admitAll, verifier, store: runtime.store, logger })(connectEvent(connectionId, token));
  return { connectionId, result, logger };
}

describe('$connect: the write is retried a bounded number of times; if it still fails, the connection is refused', () => {
  it.each([
    ['throttled once', 'throttle', 1],
    ['throttled twice', 'throttle', MAX_ATTEMPTS - 1],
    ['a 500 twice', 'internal', MAX_ATTEMPTS - 1],
    ['a 503 twice', 'unavailable', MAX_ATTEMPTS - 1],
    ['a hung call (request timeout)', 'hang', 1],
  ] as const)('%s → retried, admitted, exactly one row', async (_name, fault, times) => {
    const before = proxy.count('PutItem');
    proxy.failNext('PutItem', times, fault);
    const { connectionId, result } = await connect(room());
    expect(result.statusCode).toBe(200);
    expect(proxy.count('PutItem') - before).toBe(times + 1);
    expect(await table.get(connectionId)).toMatchObject({ connectionId });
  });

  it.each([
    ['throttled on every attempt', 'throttle'],
    ['a 500 on every attempt', 'internal'],
  ] as const)('%s (%s) → maxAttempts, then 503 ERR_STORE_UNAVAILABLE and no row: never an untracked connection', async (_name, fault) => {
    const roomId = room();
    const before = proxy.count('PutItem');
    proxy.failNext('PutItem', 100, fault);
    try {
      const { connectionId, result, logger } = await connect(roomId);
      expect(result.statusCode).toBe(503);
      expect(JSON.parse(result.body!)).toEqual({ error: { code: 'ERR_STORE_UNAVAILABLE', message: 'service temporarily unavailable, retry' } });
      expect(result.body).not.toMatch(/Provisioned|Internal server|throughput/i);
      // Bounded: the runtime's setting, not the environment's AWS_MAX_ATTEMPTS=7.
      expect(proxy.count('PutItem') - before).toBe(MAX_ATTEMPTS);
      expect(await table.get(connectionId)).toBeUndefined();
      expect((await table.listRoom(roomId)).members).toEqual([]);
      expect(logger.lines.at(-1)).toMatchObject({ level: 'error', msg: 'connect refused', fields: { code: 'ERR_STORE_UNAVAILABLE' } });
    } finally {
      proxy.rule = () => 'pass';
    }
    // The failure left nothing behind: the next connect succeeds at once.
    expect((await connect(roomId)).result.statusCode).toBe(200);
  });
});

describe('$disconnect under DynamoDB faults', () => {
  it('throttled twice → retried, row deleted', async () => {
    const { connectionId } = await connect(room());
    proxy.failNext('DeleteItem', MAX_ATTEMPTS - 1, 'throttle');
    const result = await makeDisconnectHandler({ store: runtime.store, logger: memoryLogger() })({ requestContext: { connectionId, connectedAt: Date.now() } });
    expect(result.statusCode).toBe(200);
    expect(await table.get(connectionId)).toBeUndefined();
  });

  it('throttled on every attempt → 500 (API Gateway ignores it), row kept for the next fan-out or the TTL to remove', async () => {
    const { connectionId } = await connect(room());
    const before = proxy.count('DeleteItem');
    proxy.failNext('DeleteItem', MAX_ATTEMPTS, 'throttle');
    const logger = memoryLogger();
    const result = await makeDisconnectHandler({ store: runtime.store, logger })({ requestContext: { connectionId, connectedAt: Date.now() } });
    expect(result.statusCode).toBe(500);
    expect(proxy.count('DeleteItem') - before).toBe(MAX_ATTEMPTS);
    expect(await table.get(connectionId)).toBeDefined();
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', msg: 'disconnect cleanup failed' });
  });
});

describe('fan-out under DynamoDB faults', () => {
  async function roomOf(size: number) {
    const roomId = room();
    const ids: string[] = [];
    for (let i = 0; i < size; i += 1) ids.push((await connect(roomId)).connectionId);
    return { roomId, ids, sender: ids[0]! };
  }

  /** `$default` on the runtime's store (through the proxy), with a recording management API. */
  function publisher() {
    const management = fakeManagement();
    const logger = memoryLogger();
    const broadcaster = createBroadcaster({ store: runtime.store, management, logger });
    const handler = makeDefaultHandler({
      admission: admitAll,
      rateLimit: noRateLimit,
      verifier,
      store: runtime.store,
      broadcaster,
      management,
      logger,
      maxMessageBytes: 32 * 1024,
    });
    const publish = async (sender: string) => {
      const result = await handler({ requestContext: { connectionId: sender }, body: JSON.stringify({ action: 'publish', data: 'x', id: 1 }) });
      return JSON.parse(result.body ?? '{}') as Record<string, unknown>;
    };
    return { management, publish };
  }

  it('the room Query throttled twice → retried, every member receives', async () => {
    const { ids, sender } = await roomOf(4);
    const { management, publish } = publisher();
    proxy.failNext('Query', MAX_ATTEMPTS - 1, 'throttle');
    expect(await publish(sender)).toMatchObject({ type: 'ack', delivered: 4, failed: 0, stale: 0, id: 1 });
    expect(management.posts.map((p) => p.connectionId).sort()).toEqual([...ids].sort());
  });

  it('the room Query failing on every attempt → an ERR_STORE_UNAVAILABLE error frame to the sender, no crash, rows intact', async () => {
    const { roomId, ids, sender } = await roomOf(3);
    const { management, publish } = publisher();
    proxy.failNext('Query', MAX_ATTEMPTS, 'internal');
    expect(await publish(sender)).toEqual({ type: 'error', code: 'ERR_STORE_UNAVAILABLE', message: 'service temporarily unavailable, retry', id: 1 });
    expect(management.posts).toEqual([]);
    expect((await table.listRoom(roomId)).members.map((m) => m.connectionId).sort()).toEqual([...ids].sort());
  });

  it('the sender’s own row unreadable ($default GetItem throttled on every attempt) → error frame, connection not closed', async () => {
    const { sender } = await roomOf(2);
    const { management, publish } = publisher();
    proxy.failNext('GetItem', MAX_ATTEMPTS, 'throttle');
    expect(await publish(sender)).toMatchObject({ type: 'error', code: 'ERR_STORE_UNAVAILABLE' });
    expect(management.closed).toEqual([]);
    expect(await table.get(sender)).toBeDefined();
  });
});

describe('SDK exceptions become ERR_STORE_UNAVAILABLE where they happen (aws-sdk-client-mock)', () => {
  const meta = { $metadata: { httpStatusCode: 400 } };
  const errors: Array<[string, () => Error]> = [
    ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ ...meta, message: 'throughput exceeded' })],
    ['RequestLimitExceeded', () => new RequestLimitExceeded({ ...meta, message: 'request limit' })],
    ['InternalServerError', () => new InternalServerError({ $metadata: { httpStatusCode: 500 }, message: 'internal' })],
    ['TimeoutError', () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
  ];

  it.each(errors)('%s on put → $connect 503 ERR_STORE_UNAVAILABLE', async (_name, make) => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
    mockClient(client).on(PutItemCommand).rejects(make());
    const store = createConnectionStore({ client, tableName: inject('tableName') });
    const connectionId = `c-${randomUUID()}`;
    const { token } = await signer.sign({ roomId: room(), ttlSeconds: 60 });
    const result = await makeConnectHandler({ admission: admitAll, verifier, store, logger: memoryLogger() })(connectEvent(connectionId, token));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body!).error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(await table.get(connectionId)).toBeUndefined();
    client.destroy();
  });

  it.each(errors)('%s on get, delete and query → StoreUnavailableError', async (_name, make) => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
    const mock = mockClient(client);
    mock.on(GetItemCommand).rejects(make());
    mock.on(DeleteItemCommand).rejects(make());
    mock.on(QueryCommand).rejects(make());
    const store = createConnectionStore({ client, tableName: inject('tableName') });
    await expect(store.get('x')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await expect(store.delete('x')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await expect(store.listRoom('r')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    client.destroy();
  });
});

describe('client settings', () => {
  it('are explicit: standard retry mode (exponential backoff, full jitter, retry quota), bounded attempts, request timeouts', () => {
    expect(DYNAMODB_CLIENT_SETTINGS).toEqual({
      maxAttempts: 3,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
    });
  });
});
