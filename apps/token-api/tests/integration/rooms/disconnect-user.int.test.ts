import { randomUUID } from 'node:crypto';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, HANDSHAKE_WINDOW_SECONDS, type ConnectionStore } from '@roomgate/shared/store';
import { silentLogger } from '@roomgate/shared/runtime';
import { createManagementApi } from '@roomgate/shared/delivery';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startManagementServer, type ManagementServer } from '@roomgate/shared/testing';
import { createUserDisconnector } from '../../../src/rooms/disconnect-user.ts';

/**
 * The kick on the real store (dynalite) and a real management endpoint: a 410 from
 * DeleteConnection removes the row only when it is older than the handshake window, since API
 * Gateway also answers 410 for a connection still inside `$connect`.
 */

let dynamo: DynamoDBClient;
let store: ConnectionStore;
let server: ManagementServer;
let client: ApiGatewayManagementApiClient;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName') });
  server = await startManagementServer({ gone: 'typed' });
  client = new ApiGatewayManagementApiClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  dynamo?.destroy();
  await server?.close();
});

describe('kick: what a 410 proves', () => {
  it('closes an open connection, removes a long-gone one, and keeps (and reports) one still connecting', async () => {
    const room = `room-${randomUUID().slice(0, 8)}`;
    const put = (suffix: string, connectedAt: number) =>
      store.put({ connectionId: `${room}-${suffix}`, roomId: room, userId: 'alice', capabilities: ['subscribe'], tokenExpiresAt: now() + 300, connectedAt });
    await put('open', now() - 120);
    await put('gone', now() - HANDSHAKE_WINDOW_SECONDS - 5);
    await put('connecting', now());
    server.live.add(`${room}-open`);

    const kicker = createUserDisconnector({ store, management: createManagementApi({ client }), logger: silentLogger });
    expect(await kicker.disconnect(room, 'alice', 'test')).toEqual({ disconnected: 2, failed: 1 });
    expect(server.deleted).toContain(`${room}-open`);
    expect(await store.get(`${room}-open`)).toBeUndefined();
    expect(await store.get(`${room}-gone`)).toBeUndefined();
    // Before the fix this row was deleted and the member, once its handshake completed, sat in
    // the room hearing nothing; now the caller is told to retry.
    expect(await store.get(`${room}-connecting`)).toBeDefined();

    server.live.add(`${room}-connecting`); // its handshake completed: the retry closes it
    expect(await kicker.disconnect(room, 'alice', 'test')).toEqual({ disconnected: 1, failed: 0 });
    expect(await store.get(`${room}-connecting`)).toBeUndefined();
  });
});
