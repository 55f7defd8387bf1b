import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRoomClient, type RoomClientError, type RoomMessage } from '../../src/index.ts';
import { startRoomServer } from '../helpers/room-server.ts';

let server: Awaited<ReturnType<typeof startRoomServer>>;
beforeAll(async () => {
  server = await startRoomServer();
});
afterAll(() => server?.close());

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('with the ws package in Node', () => {
  it('retries a refused handshake with a fresh token, then publishes and receives', async () => {
    const tokens = ['bad-1', 'alice'];
    const client = createRoomClient({
      WebSocket,
      getToken: async () => ({ token: tokens.shift() ?? 'alice', socketUrl: server.url, expiresAt: Date.now() + 300_000 }),
      backoff: { initialMs: 10, maxMs: 50 },
    });
    const errors: RoomClientError[] = [];
    const messages: RoomMessage[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('message', (m) => messages.push(m));

    await client.connect();
    expect(errors.map((e) => [e.code, e.closeCode])).toEqual([['ERR_CONNECT_REFUSED', 1006]]);
    expect(server.handshakes.slice(-2)).toEqual(['bad-1', 'alice']);

    const ack = await client.publish({ text: 'hello' });
    expect(ack).toEqual({ delivered: 1, failed: 0, stale: 0 });
    await until(() => messages.length === 1);
    expect(messages[0]).toMatchObject({ from: 'alice', data: { text: 'hello' } });

    client.close();
    await until(() => server.connections() === 0);
  });

  it('closing during the handshake leaves nothing behind and raises nothing', async () => {
    const client = createRoomClient({ WebSocket, getToken: async () => ({ token: 'bob', socketUrl: server.url, expiresAt: Date.now() + 300_000 }) });
    void client.connect();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the socket exists, the handshake has not finished
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.state).toBe('closed');
    await until(() => server.connections() === 0);
  });
});
