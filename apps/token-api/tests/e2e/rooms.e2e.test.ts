import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ensureTable, loadAccessTable, loadHistoryTable, localClientConfig, startLocalAws, type LocalAws } from '@roomgate/local-aws';
import { startOffline, type RunningOffline } from '@roomgate/socket/testing/offline';
import { connect, tokenProtocols, type Frame, type TestClient } from '@roomgate/socket/testing/ws-client';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { generateSigningKey, importSigningKey, publicJwkOf, createSigner, type Capability, type TokenSigner } from '@roomgate/shared/tokens';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_KEY, LOBBY_KEY, apiKeysSecret } from '../helpers/fixtures.ts';
import { SERVICE_DIR, SLS, envWithoutAws, freePort, startUntil, type Spawned } from '../helpers/processes.ts';
import { ensureRoomsTable } from '../helpers/rooms-table.ts';

/**
 * The Rooms API on the local stack: the socket service and the token API (both functions) under
 * serverless-offline against a private dynalite + Secrets Manager, with real `ws` clients. Private,
 * so this file never races offline.e2e.test.ts over the `local` stage's secrets.
 */
const CONNECTIONS_TABLE = 'roomgate-e2e-connections';
const ROOMS_TABLE = 'roomgate-e2e-rooms';
const HISTORY_TABLE = 'roomgate-e2e-history';
const ACCESS_TABLE = 'roomgate-e2e-access';
const BUILD_DIR = `.esbuild-rooms-e2e-${process.pid}`;

let aws: LocalAws;
let socket: RunningOffline;
let tokenApi: Spawned;
let base: string;
let dynamo: DynamoDBClient;
let store: ConnectionStore;
let signer: TokenSigner;
const clients: TestClient[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  dynamo = new DynamoDBClient(localClientConfig(aws.dynamoEndpoint));
  await ensureTable(dynamo, CONNECTIONS_TABLE);
  await ensureRoomsTable(dynamo, ROOMS_TABLE);
  await ensureTable(dynamo, HISTORY_TABLE, loadHistoryTable());
  await ensureTable(dynamo, ACCESS_TABLE, loadAccessTable());
  store = createConnectionStore({ client: dynamo, tableName: CONNECTIONS_TABLE });

  const record = await generateSigningKey('RS256');
  signer = createSigner({ key: await importSigningKey(record), issuer: 'roomgate', audience: 'roomgate-socket' });
  const secrets = new SecretsManagerClient(localClientConfig(aws.secretsEndpoint));
  await secrets.send(new CreateSecretCommand({ Name: 'roomgate/local/public-keys', SecretString: JSON.stringify({ keys: [await publicJwkOf(record)] }) }));
  await secrets.send(new CreateSecretCommand({ Name: 'roomgate/local/api-keys', SecretString: apiKeysSecret() }));
  secrets.destroy();

  const shared = {
    ROOMGATE_TABLE_NAME: CONNECTIONS_TABLE,
    ROOMGATE_HISTORY_TABLE_NAME: HISTORY_TABLE,
    ROOMGATE_ACCESS_TABLE_NAME: ACCESS_TABLE,
    ROOMGATE_DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    ROOMGATE_SECRETS_ENDPOINT: aws.secretsEndpoint,
  };
  socket = await startOffline(shared);
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${httpPort}`;
  tokenApi = await startUntil(SLS, ['offline', '--stage', 'local'], {
    env: envWithoutAws({
      ...shared,
      ROOMGATE_ROOMS_TABLE_NAME: ROOMS_TABLE,
      ROOMGATE_MANAGEMENT_ENDPOINT: socket.managementEndpoint,
      ROOMGATE_SOCKET_URL: socket.wsUrl,
      ROOMGATE_TOKEN_API_HTTP_PORT: String(httpPort),
      ROOMGATE_TOKEN_API_LAMBDA_PORT: String(lambdaPort),
      ROOMGATE_ESBUILD_DIR: BUILD_DIR,
      ROOMGATE_LOG_LEVEL: 'warn',
    }),
    ready: /Server ready/,
    timeoutMs: 90_000,
  });
}, 180_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await tokenApi?.stop();
  await socket?.stop();
  rmSync(joinPath(SERVICE_DIR, BUILD_DIR), { recursive: true, force: true });
  dynamo?.destroy();
  await aws?.close();
});

const room = (label: string) => `chat-${label}-${randomUUID().slice(0, 8)}`;

async function join(roomId: string, userId: string, capabilities?: Capability[]): Promise<TestClient> {
  const { token } = await signer.sign({ roomId, userId, ttlSeconds: 300, ...(capabilities && { capabilities }) });
  const client = await connect(socket.wsUrl, tokenProtocols(token));
  clients.push(client);
  return client;
}

const call = (method: string, path: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': options.key ?? CHAT_KEY, ...(options.body !== undefined && { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });

/** Round-trips a ping: every frame posted before it has arrived once its pong is in. */
async function settle(client: TestClient): Promise<void> {
  const id = randomUUID();
  client.send({ action: 'ping', id });
  await client.next((f) => f.id === id);
}

const messages = (client: TestClient): Frame[] => client.frames.filter((f) => f.type === 'message');

/** A history stage's 200 to a publish that reached `delivered` connections and failed none. */
const published = (delivered: number) => ({
  publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
  seq: expect.any(Number),
  epoch: expect.any(String),
  delivered,
  failed: 0,
  stale: 0,
});

describe('Rooms API under serverless-offline with real WebSocket clients', () => {
  it('a server publish reaches exactly the room’s clients', async () => {
    const a = room('pub');
    const b = room('other');
    const [alice, bob, elsewhere] = [await join(a, 'alice'), await join(a, 'bob'), await join(b, 'carol')];
    const res = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: { text: 'from the backend' } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(published(2));
    for (const client of [alice, bob]) {
      const frame = await client.next((f) => f.type === 'message');
      expect(frame).toEqual({
        type: 'message',
        roomId: a,
        seq: expect.any(Number),
        epoch: expect.any(String),
        data: { text: 'from the backend' },
        sentAt: expect.any(Number),
      });
    }
    await settle(elsewhere);
    expect(messages(elsewhere)).toEqual([]);
  });

  it('excludeUserId leaves that user out', async () => {
    const a = room('exclude');
    const [alice, bob] = [await join(a, 'alice'), await join(a, 'bob')];
    const res = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: 'not for alice', excludeUserId: 'alice' } });
    expect(await res.json()).toEqual(published(1));
    await bob.next((f) => f.type === 'message');
    await settle(alice);
    expect(messages(alice)).toEqual([]);
  });

  it('the connections listing matches the clients, page by page, with no connection ids', async () => {
    const a = room('list');
    await join(a, 'alice');
    await join(a, 'bob');
    await join(a, 'carol', ['subscribe']);
    const seen: Array<{ userId: string; capabilities: string[]; connectedAt: string }> = [];
    let cursor: string | null = null;
    const bodies: string[] = [];
    do {
      const res: Response = await call('GET', `/v1/rooms/${a}/connections?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      bodies.push(text);
      const page = JSON.parse(text) as { connections: typeof seen; nextCursor: string | null };
      seen.push(...page.connections);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.map((c) => [c.userId, c.capabilities]).sort()).toEqual([
      ['alice', ['subscribe', 'publish']],
      ['bob', ['subscribe', 'publish']],
      ['carol', ['subscribe']],
    ]);
    for (const c of seen) expect(Math.abs(Date.parse(c.connectedAt) - Date.now())).toBeLessThan(60_000);
    const ids = (await store.listRoom(a)).members.map((m) => m.connectionId);
    expect(ids).toHaveLength(3);
    for (const id of ids) for (const body of bodies) expect(body).not.toContain(id);
  });

  it('an unknown room is an empty list', async () => {
    const res = await call('GET', `/v1/rooms/${room('nobody')}/connections`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ connections: [], nextCursor: null });
  });

  it('a kicked user’s sockets are told and closed, their rows removed; the others stay', async () => {
    const a = room('kick');
    const [alice1, alice2, bob] = [await join(a, 'alice'), await join(a, 'alice'), await join(a, 'bob')];
    const closed = [alice1, alice2].map((c) => new Promise<void>((resolve) => c.ws.once('close', () => resolve())));
    const res = await call('DELETE', `/v1/rooms/${a}/users/alice`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ disconnected: 2, failed: 0 });
    await Promise.all(closed);
    for (const c of [alice1, alice2]) expect(c.frames).toContainEqual(expect.objectContaining({ type: 'error', code: 'ERR_KICKED' }));
    await settle(bob);
    const listing = (await (await call('GET', `/v1/rooms/${a}/connections`)).json()) as { connections: Array<{ userId: string }> };
    expect(listing.connections.map((c) => c.userId)).toEqual(['bob']);
    expect((await store.listRoom(a)).members.map((m) => m.userId)).toEqual(['bob']);
  });

  it('a caller whose scope does not cover the room gets 403 on every route and nothing happens', async () => {
    const a = room('scope');
    const [alice, bob] = [await join(a, 'alice'), await join(a, 'bob')];
    const attempts = [
      call('POST', `/v1/rooms/${a}/messages`, { key: LOBBY_KEY, body: { data: 'intruder' }, headers: { 'idempotency-key': 'k' } }),
      call('GET', `/v1/rooms/${a}/connections`, { key: LOBBY_KEY }),
      call('DELETE', `/v1/rooms/${a}/users/alice`, { key: LOBBY_KEY }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_ROOM_FORBIDDEN');
    }
    for (const client of [alice, bob]) {
      await settle(client);
      expect(messages(client)).toEqual([]);
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    }
    expect(await store.listRoom(a)).toMatchObject({ members: [expect.anything(), expect.anything()] });
    // The refused publish left no idempotency record: the same key now delivers.
    const res = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: 'ok' }, headers: { 'idempotency-key': 'k' } });
    expect(await res.json()).toEqual(published(2));
  });

  it('an idempotent publish retried with the same key delivers once', async () => {
    const a = room('idem');
    const [alice, bob] = [await join(a, 'alice'), await join(a, 'bob')];
    const key = randomUUID();
    const first = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: 'once' }, headers: { 'idempotency-key': key } });
    const retry = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: 'once' }, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const reused = await call('POST', `/v1/rooms/${a}/messages`, { body: { data: 'changed' }, headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    for (const client of [alice, bob]) {
      await settle(client);
      expect(messages(client)).toHaveLength(1);
    }
  });
});
