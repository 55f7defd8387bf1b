import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { localClientConfig } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore, type ConnectionStore } from '../../../src/store/connection-store.ts';
import { createBroadcaster } from '../../../src/delivery/fan-out.ts';
import { silentLogger, type Logger } from '../../../src/runtime/logger.ts';
import { createManagementApi } from '../../../src/delivery/management-api.ts';
import { localConnectionsTable, uniqueRoom, type LocalTable } from '../../helpers/local-table.ts';
import { startManagementServer, type ManagementServer } from '../../helpers/management-server.ts';

let table: LocalTable;
let store: ConnectionStore;

beforeAll(async () => {
  table = await localConnectionsTable();
  // A page size of 2 forces the fan-out across several Query pages.
  store = createConnectionStore({ client: table.client, tableName: table.tableName, pageSize: 2 });
});
afterAll(async () => table?.close());

describe.each(['bare', 'typed'] as const)('fan-out through the real SDK (410 %s)', (gone) => {
  let server: ManagementServer;
  let client: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    server = await startManagementServer({ gone });
    client = new ApiGatewayManagementApiClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('delivers to the room across pages and deletes the stale id, not the sender’s', async () => {
    const room = uniqueRoom();
    const other = uniqueRoom('other');
    const id = (s: string) => `${room}-${s}`;
    const live = [id('sender'), id('a'), id('b'), id('c')];
    const all = [...live, id('stale'), id('broken')];
    // Connected a minute ago: past the handshake window, so a 410 proves the connection gone.
    const connectedAt = Math.floor(Date.now() / 1000) - 60;
    for (const connectionId of all) {
      await store.put({ connectionId, roomId: room, capabilities: ['subscribe', 'publish'], tokenExpiresAt: 0, connectedAt });
    }
    await store.put({ connectionId: `${other}-x`, roomId: other, capabilities: ['subscribe'], tokenExpiresAt: 0 });
    live.forEach((c) => server.live.add(c));
    server.live.add(`${other}-x`);
    server.broken.set(id('broken'), 500);

    const broadcaster = createBroadcaster({ store, management: createManagementApi({ client }), logger: silentLogger, concurrency: 3 });
    const result = await broadcaster.broadcast(room, '{"type":"message"}');

    expect(result).toEqual({ delivered: 4, failed: 1, stale: 1 });
    expect(server.received.map((r) => r.connectionId).sort()).toEqual([...live].sort());
    expect(await store.get(id('stale'))).toBeUndefined();
    expect(await store.get(id('sender'))).toBeDefined();
    expect(await store.get(id('broken'))).toBeDefined();
    const remaining = [];
    for await (const m of store.roomConnections(room)) remaining.push(m.connectionId);
    expect(remaining.sort()).toEqual([...live, id('broken')].sort());
  });

  it('a 410 for a member still inside its handshake window keeps its row; later fan-outs reach it', async () => {
    // API Gateway answers 410 while `$connect` runs; the handshake then completes. Deleting the
    // row here was the bug: an open socket that heard nothing and was missing from listings.
    const room = uniqueRoom();
    const now = Math.floor(Date.now() / 1000);
    const joining = `${room}-joining`;
    const gone = `${room}-gone`;
    await store.put({ connectionId: joining, roomId: room, capabilities: ['subscribe'], tokenExpiresAt: 0, connectedAt: now });
    await store.put({ connectionId: gone, roomId: room, capabilities: ['subscribe'], tokenExpiresAt: 0, connectedAt: now - 31 });
    const logger = memoryLogger();
    const broadcaster = createBroadcaster({ store, management: createManagementApi({ client }), logger, concurrency: 2 });

    expect(await broadcaster.broadcast(room, '{"n":1}')).toEqual({ delivered: 0, failed: 0, stale: 2 });
    expect(await store.get(joining)).toBeDefined();
    expect(await store.get(gone)).toBeUndefined();
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'fan-out kept a connection still inside its handshake window' }));

    server.live.add(joining); // its handshake completed
    expect(await broadcaster.broadcast(room, '{"n":2}')).toEqual({ delivered: 1, failed: 0, stale: 0 });
    expect(server.received.filter((r) => r.connectionId === joining).map((r) => r.body)).toEqual(['{"n":2}']);
  });
});

function memoryLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
