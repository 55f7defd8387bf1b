import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

// recovery: false — a history request at open counts as activity and would shift the pings.
describe('ping', () => {
  it('pings every interval while nothing else is sent', async () => {
    const { client } = setupClient({ pingIntervalMs: 60_000, recovery: false });
    const socket = await openClient(client);

    await vi.advanceTimersByTimeAsync(59_999);
    expect(socket.sentOf('ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sentOf('ping')).toHaveLength(1);
    socket.reply('ping', { type: 'pong' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.sentOf('ping')).toHaveLength(2);
  });

  it('defaults to every 5 minutes, well inside the 10-minute idle timeout', async () => {
    const { client } = setupClient({ recovery: false }, { ttlSeconds: 3600 });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1);
    expect(socket.sentOf('ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sentOf('ping')).toHaveLength(1);
  });

  it('counts a publish as activity and postpones the ping', async () => {
    const { client } = setupClient({ pingIntervalMs: 60_000, recovery: false });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(40_000);
    void client.publish('x');
    socket.reply('publish', { type: 'ack', action: 'publish', delivered: 1, failed: 0, stale: 0 });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(socket.sentOf('ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sentOf('ping')).toHaveLength(1);
  });

  it('reconnects with a fresh token when a pong does not come back', async () => {
    const { client, errors, getToken } = setupClient({ pingIntervalMs: 60_000, requestTimeoutMs: 5_000, recovery: false });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(60_000 + 5_000);

    expect(errors.map((e) => e.code)).toEqual(['ERR_REQUEST_TIMEOUT']);
    expect(socket.closedWith?.code).toBe(1000);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeWebSocket.last).not.toBe(socket);
    expect(FakeWebSocket.last.protocols).toContain('roomgate.token.t2');
  });
});
