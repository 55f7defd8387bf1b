import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRoomClient, type RecoveryEvent, type RoomMessage } from '../../src/index.ts';
import { startRoomServer } from '../helpers/room-server.ts';

let server: Awaited<ReturnType<typeof startRoomServer>>;
beforeAll(async () => {
  server = await startRoomServer({ history: true });
});
afterAll(() => server?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
};

describe('recovery over real sockets (ws, loopback server with history)', () => {
  it('sees every message exactly once, in order, while sockets are dropped and replaced mid-stream', async () => {
    const client = createRoomClient({
      WebSocket,
      roomId: 'lobby',
      getToken: async () => ({ token: 'alice', socketUrl: server.url, expiresAt: Date.now() + 300_000 }),
      backoff: { initialMs: 20, maxMs: 50 },
      maxConnectionAgeMs: 400, // planned reconnects as well as drops
    });
    const received: RoomMessage[] = [];
    const recoveries: RecoveryEvent[] = [];
    client.on('message', (m) => received.push(m));
    client.on('recovery', (e) => recoveries.push(e));
    await client.connect();
    await until(() => client.state === 'open');
    await sleep(50); // the first history reply has set the position

    const total = 300;
    for (let i = 0; i < total; i += 1) {
      server.publish({ n: i });
      if (i % 40 === 20) server.dropAll();
      await sleep(3);
    }
    await until(() => received.length >= total && client.state === 'open');
    await sleep(200); // anything doubled would arrive by now
    client.close();

    expect(received.map((m) => (m.data as { n: number }).n)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const reconnects = recoveries.filter((e) => e.reconnect);
    expect(reconnects.length).toBeGreaterThanOrEqual(7);
    expect(reconnects.every((e) => e.recovered)).toBe(true);
    expect(reconnects.some((e) => e.replayed > 0)).toBe(true);
  });
});
