import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { flush, openClient, setupClient } from '../helpers/harness.ts';

const START = new Date('2030-01-01T00:00:00Z').getTime();

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

describe('token refresh', () => {
  it('sends a fresh token on the open connection a minute before expiry, then schedules the next', async () => {
    const { client, getToken } = setupClient({ pingIntervalMs: 60 * 60_000 });
    const refreshed: number[] = [];
    client.on('refreshed', (r) => refreshed.push(r.tokenExpiresAt));
    const socket = await openClient(client);

    await vi.advanceTimersByTimeAsync(4 * 60_000 - 1);
    expect(socket.sentOf('refresh')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(socket.sentOf('refresh')).toEqual([{ action: 'refresh', token: 't2', id: expect.any(Number) }]);

    socket.reply('refresh', { type: 'refreshed', tokenExpiresAt: START / 1000 + 540 });
    await flush();
    expect(refreshed).toEqual([START + 540_000]);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('open');

    // t2 was fetched at 4 min and lives 5 min: the next refresh is due at 8 min.
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(socket.sentOf('refresh').map((f) => f.token)).toEqual(['t2', 't3']);
  });

  it('waits at least half the lifetime of a short-lived token', async () => {
    const { client } = setupClient({ pingIntervalMs: 60 * 60_000 }, { ttlSeconds: 30 });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(socket.sentOf('refresh')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sentOf('refresh')).toHaveLength(1);
  });

  it('reconnects with a fresh token when the server refuses the refresh', async () => {
    const { client, errors } = setupClient({ pingIntervalMs: 60 * 60_000 });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    socket.reply('refresh', { type: 'error', code: 'ERR_TOKEN_INVALID', message: 'token is for another user' });
    await flush();

    expect(errors.map((e) => e.code)).toEqual(['ERR_TOKEN_INVALID']);
    expect(socket.closedWith).toBeDefined();
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.last.protocols).toContain('roomgate.token.t3');
  });

  it('stops when the token source refuses for good during a refresh', async () => {
    let calls = 0;
    const getToken = vi.fn(async () => {
      calls += 1;
      if (calls > 1) throw Object.assign(new Error('user banned'), { retryable: false });
      return { token: 't1', socketUrl: 'wss://socket.test/', expiresAt: Date.now() + 300_000 };
    });
    const { client, states } = setupClient({ getToken, pingIntervalMs: 60 * 60_000 });
    const socket = await openClient(client);
    await vi.advanceTimersByTimeAsync(4 * 60_000);

    expect(client.state).toBe('closed');
    expect(states.at(-1)).toMatchObject({ state: 'closed', error: { code: 'ERR_TOKEN_FETCH_FAILED', retryable: false } });
    expect(socket.closedWith?.code).toBe(1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
