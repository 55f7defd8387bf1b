import { beforeEach, describe, expect, it } from 'vitest';
import { createRoomClient, type Timers } from '../../src/index.ts';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';

/** Timers the test fires by hand, for hosts where global fake timers are not an option. */
function manualTimers() {
  const scheduled = new Map<number, { ms: number; callback: () => void }>();
  let next = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      scheduled.set(next, { ms, callback });
      return next++;
    },
    clearTimeout(handle) {
      scheduled.delete(handle as number);
    },
  };
  return { timers, scheduled };
}

beforeEach(() => FakeWebSocket.reset());

describe('injected timers and clock', () => {
  it('schedules ping, refresh and the connection-age limit through them, and close() clears all', async () => {
    const { timers, scheduled } = manualTimers();
    let clock = 1_000_000;
    const client = createRoomClient({
      WebSocket: FakeWebSocket,
      timers,
      now: () => clock,
      getToken: async () => ({ token: 't', socketUrl: 'wss://socket.test/', expiresAt: clock + 300_000 }),
      pingIntervalMs: 240_000,
      refreshBeforeExpiryMs: 30_000,
      maxConnectionAgeMs: 7_000_000,
    });
    const opened = client.connect();
    await Promise.resolve();
    await Promise.resolve();
    clock += 1_000; // the handshake took a second
    FakeWebSocket.last.open();
    await opened;

    // 10 s: the reply timeout of the history request every open sends.
    expect([...scheduled.values()].map((t) => t.ms).sort((a, b) => a - b)).toEqual([10_000, 240_000, 269_000, 7_000_000]);
    client.close();
    expect(scheduled.size).toBe(0);
  });
});
