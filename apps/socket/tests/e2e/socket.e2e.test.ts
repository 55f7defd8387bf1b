import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { generateSigningKey, importSigningKey, publicJwkOf, createSigner, type Capability, type TokenSigner } from '@roomgate/shared/tokens';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { startOffline, type RunningOffline } from '../helpers/offline.ts';
import { connect, refusedStatus, tokenProtocols, type TestClient } from '../helpers/ws-client.ts';

const ISSUER = 'roomgate';
const AUDIENCE = 'roomgate-socket';

let offline: RunningOffline;
let store: ConnectionStore;
let dynamo: DynamoDBClient;
let signer: TokenSigner;
let staleSigner: TokenSigner;
let foreignSigner: TokenSigner;
const clients: TestClient[] = [];

const room = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const token = async (roomId: string, options: { capabilities?: Capability[]; userId?: string; with?: TokenSigner } = {}) =>
  (
    await (options.with ?? signer).sign({
      roomId,
      ttlSeconds: 300,
      userId: options.userId ?? 'alice',
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    })
  ).token;

async function join(roomId: string, options: { capabilities?: Capability[]; viaQuery?: boolean } = {}): Promise<TestClient> {
  const jwt = await token(roomId, options);
  const client = options.viaQuery ? await connect(`${offline.wsUrl}?token=${encodeURIComponent(jwt)}`) : await connect(offline.wsUrl, tokenProtocols(jwt));
  clients.push(client);
  return client;
}

async function members(roomId: string): Promise<string[]> {
  return (await store.listRoom(roomId, { limit: 100 })).members.map((m) => m.connectionId);
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const secretsEndpoint = inject('secretsEndpoint');
  const tableName = inject('tableName');
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName });

  // The token API's way of minting tokens: the key's public half goes into the public-keys
  // secret the socket service reads, exactly as `pnpm keys create` stores it.
  const record = await generateSigningKey('RS256');
  const key = await importSigningKey(record);
  signer = createSigner({ key, issuer: ISSUER, audience: AUDIENCE });
  staleSigner = createSigner({ key, issuer: ISSUER, audience: AUDIENCE, clock: () => Math.floor(Date.now() / 1000) - 3600 });
  foreignSigner = createSigner({ key: await importSigningKey(await generateSigningKey('RS256')), issuer: ISSUER, audience: AUDIENCE });
  const secrets = new SecretsManagerClient(localClientConfig(secretsEndpoint));
  const SecretString = JSON.stringify({ keys: [await publicJwkOf(record)] });
  try {
    await secrets.send(new CreateSecretCommand({ Name: 'roomgate/local/public-keys', SecretString }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await secrets.send(new PutSecretValueCommand({ SecretId: 'roomgate/local/public-keys', SecretString }));
  }
  secrets.destroy();

  offline = await startOffline({
    ROOMGATE_TABLE_NAME: tableName,
    ROOMGATE_HISTORY_TABLE_NAME: inject('historyTableName'),
    ROOMGATE_ACCESS_TABLE_NAME: inject('accessTableName'),
    ROOMGATE_DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    ROOMGATE_SECRETS_ENDPOINT: secretsEndpoint,
    ROOMGATE_TOKEN_ISSUER: ISSUER,
    ROOMGATE_TOKEN_AUDIENCE: AUDIENCE,
    // So the expiry test needs to wait only for the token's lifetime.
    ROOMGATE_CLOCK_TOLERANCE_SECONDS: '0',
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await offline?.stop();
  dynamo?.destroy();
});

describe('socket service under serverless-offline', () => {
  it('admits a valid token offered as a subprotocol, echoes roomgate.v1 and records the connection', async () => {
    const r = room('valid');
    const client = await join(r);
    expect(client.ws.protocol).toBe('roomgate.v1');
    expect(await members(r)).toHaveLength(1);
    client.send({ action: 'ping', id: 1 });
    expect(await client.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 1 });
  });

  it('admits a token passed as ?token=', async () => {
    const r = room('query');
    await join(r, { viaQuery: true });
    expect(await members(r)).toHaveLength(1);
  });

  it('refuses bad, expired, foreign-key and other-room tokens at the handshake and writes nothing', async () => {
    const r = room('refused');
    const other = room('other');
    expect(await refusedStatus(offline.wsUrl, tokenProtocols('not.a.token'))).toBe(401);
    expect(await refusedStatus(offline.wsUrl, tokenProtocols(await token(r, { with: staleSigner })))).toBe(401);
    expect(await refusedStatus(offline.wsUrl, tokenProtocols(await token(r, { with: foreignSigner })))).toBe(401);
    expect(await refusedStatus(`${offline.wsUrl}?room=${r}`, tokenProtocols(await token(other)))).toBe(403);
    expect(await refusedStatus(offline.wsUrl)).toBe(401);
    expect(await members(r)).toEqual([]);
    expect(await members(other)).toEqual([]);
  });

  it('fans a publish out to every connection of the room and to no other room', async () => {
    const a = room('a');
    const b = room('b');
    const [a1, a2, a3] = [await join(a), await join(a), await join(a)];
    const b1 = await join(b);
    a1!.send({ action: 'publish', data: { text: 'hello A' }, id: 'p1' });

    const ack = await a1!.next((f) => f.type === 'ack');
    // History is on under serverless-offline as on a deployed stage: the ack names the message's place.
    expect(ack).toEqual({
      type: 'ack',
      action: 'publish',
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
      seq: 1,
      epoch: expect.any(String),
      delivered: 3,
      failed: 0,
      stale: 0,
      id: 'p1',
    });
    for (const client of [a1!, a2!, a3!]) {
      expect(await client.next((f) => f.type === 'message')).toMatchObject({
        type: 'message',
        roomId: a,
        seq: 1,
        epoch: ack.epoch,
        from: 'alice',
        data: { text: 'hello A' },
      });
    }
    b1.send({ action: 'ping' });
    await b1.next((f) => f.type === 'pong');
    expect(b1.frames.filter((f) => f.type === 'message')).toEqual([]);
  });

  it('refuses a publish from a subscriber-only token with an error frame and keeps the connection', async () => {
    const r = room('sub');
    const listener = await join(r);
    const subscriber = await join(r, { capabilities: ['subscribe'] });
    subscriber.send({ action: 'publish', data: 'nope', id: 9 });
    expect(await subscriber.next((f) => f.type === 'error')).toMatchObject({ code: 'ERR_CAPABILITY_FORBIDDEN', id: 9 });
    subscriber.send({ action: 'ping' });
    await subscriber.next((f) => f.type === 'pong');
    expect(listener.frames).toEqual([]);
  });

  it('answers malformed, unknown and oversized frames with error frames; the connection stays up', async () => {
    const client = await join(room('errors'));
    client.send('{not json');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
    client.send({ action: 'dance', id: 'u' });
    expect(await client.next((f) => f.id === 'u')).toMatchObject({ type: 'error', code: 'ERR_UNKNOWN_ACTION' });
    // Oversized frames are refused before parsing; their id is still read and echoed.
    client.send({ action: 'publish', data: 'x'.repeat(40 * 1024), id: 'big' });
    expect(await client.next((f) => f.code === 'ERR_MESSAGE_TOO_LARGE')).toMatchObject({ type: 'error', id: 'big' });
    client.send({ action: 'ping', id: 'alive' });
    expect(await client.next((f) => f.id === 'alive')).toEqual({ type: 'pong', id: 'alive' });
  });

  it('moves the stored token expiry on refresh', async () => {
    const r = room('refresh');
    const client = await join(r);
    const [id] = await members(r);
    const before = (await store.get(id!))!.tokenExpiresAt;
    const later = createSigner({
      key: await importSigningKey(await generateSigningKey('RS256')),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    // A token signed by an unknown key is refused and changes nothing.
    client.send({ action: 'refresh', token: await token(r, { with: later }), id: 'r0' });
    expect(await client.next((f) => f.id === 'r0')).toMatchObject({ type: 'error', code: 'ERR_TOKEN_INVALID' });
    const fresh = await signer.sign({ roomId: r, userId: 'alice', ttlSeconds: 900 });
    client.send({ action: 'refresh', token: fresh.token, id: 'r1' });
    expect(await client.next((f) => f.id === 'r1')).toEqual({ type: 'refreshed', tokenExpiresAt: fresh.expiresAt, id: 'r1' });
    expect((await store.get(id!))!.tokenExpiresAt).toBe(fresh.expiresAt);
    expect(fresh.expiresAt).toBeGreaterThan(before);
  });

  it('closes a connection whose token expired at its next frame (DeleteConnection) and deletes its row', async () => {
    const r = room('expiry');
    const short = await signer.sign({ roomId: r, userId: 'alice', ttlSeconds: 2 });
    const client = await connect(offline.wsUrl, tokenProtocols(short.token));
    clients.push(client);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, (short.expiresAt + 1) * 1000 - Date.now()));
    client.send({ action: 'publish', data: 'too late' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    await closed;
    // The handler deletes the row right after DeleteConnection returns, i.e. after the client saw the close.
    expect(
      await eventually(
        () => members(r),
        (ids) => ids.length === 0,
      ),
    ).toEqual([]);
    expect(client.frames.filter((f) => f.type === 'message')).toEqual([]);
  });

  it('deletes the row on disconnect, and removes a closed client whose $disconnect was missed at the next fan-out', async () => {
    const r = room('gone');
    const sender = await join(r);
    const [senderId] = await members(r);
    const leaver = await connect(offline.wsUrl, tokenProtocols(await token(r)));
    const leaverId = (await members(r)).find((id) => id !== senderId)!;
    const leaverRow = (await store.get(leaverId))!;

    await leaver.close();
    expect(
      await eventually(
        () => members(r),
        (ids) => ids.length === 1,
      ),
    ).toEqual([senderId]);

    // API Gateway delivers $disconnect best-effort: put the row back as if it had been missed,
    // dated past the handshake window (a 410 for a younger row proves nothing: it is kept).
    await store.put({ ...leaverRow, connectedAt: leaverRow.connectedAt - 60 });
    sender.send({ action: 'publish', data: 'anyone?', id: 'p' });
    expect(await sender.next((f) => f.type === 'ack')).toMatchObject({ delivered: 1, failed: 0, stale: 1 });
    expect(await members(r)).toEqual([senderId]);
  });
});
