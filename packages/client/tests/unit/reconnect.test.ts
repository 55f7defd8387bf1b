import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { flush, openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

const BACKOFF = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

/** Refuses every handshake until told otherwise; returns the delays between attempts. */
async function refuseAttempts(count: number): Promise<number[]> {
  const delays: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const before = FakeWebSocket.instances.length;
    const started = Date.now();
    while (FakeWebSocket.instances.length === before) await vi.advanceTimersByTimeAsync(1);
    if (i > 0) delays.push(Date.now() - started);
    FakeWebSocket.last.refuse();
  }
  return delays;
}

describe('reconnect and backoff', () => {
  it('fetches a fresh token after a refused handshake and backs off exponentially up to the cap', async () => {
    const { client, getToken, states, errors } = setupClient({ backoff: BACKOFF });
    void client.connect();
    const delays = await refuseAttempts(7);

    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(getToken).toHaveBeenCalledTimes(7);
    expect(new Set(FakeWebSocket.instances.map((s) => s.protocols?.[1])).size).toBe(7);
    expect(errors.every((e) => e.code === 'ERR_CONNECT_REFUSED' && e.closeCode === 1006)).toBe(true);
    expect(states.filter((s) => s.state === 'reconnecting').map((s) => [s.attempt, s.retryInMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
      [5, 1_000],
      [6, 1_000],
      [7, 1_000],
    ]);
    client.close();
  });

  it('resets the backoff once a connection opens', async () => {
    const { client, states } = setupClient({ backoff: BACKOFF, pingIntervalMs: 60 * 60_000 });
    void client.connect();
    await refuseAttempts(4); // delays 100, 200, 400; the next would be 800
    await vi.advanceTimersByTimeAsync(800);
    FakeWebSocket.last.open();
    expect(client.state).toBe('open');

    FakeWebSocket.last.drop(1001);
    expect(states.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1, retryInMs: 100, error: { code: 'ERR_CONNECTION_LOST', closeCode: 1001 } });
    client.close();
  });

  it('spreads retries with jitter, only ever shortening the delay', async () => {
    const { client, states } = setupClient({ backoff: { ...BACKOFF, jitter: 0.5 }, random: () => 1 });
    void client.connect();
    await refuseAttempts(3);
    expect(states.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs)).toEqual([50, 100, 200]);
    client.close();
  });

  it('backs off when the token source fails, then connects', async () => {
    const getToken = vi
      .fn()
      .mockRejectedValueOnce(new Error('token API down'))
      .mockResolvedValue({ token: 'ok', socketUrl: 'wss://socket.test/', expiresAt: Date.now() + 300_000 });
    const { client, errors } = setupClient({ getToken, backoff: BACKOFF });
    void client.connect();
    await flush();
    expect(errors[0]).toMatchObject({ code: 'ERR_TOKEN_FETCH_FAILED', retryable: true });
    expect(FakeWebSocket.instances).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.open();
    expect(client.state).toBe('open');
    client.close();
  });

  it('names the server error that preceded a close (an expired token)', async () => {
    const { client, errors } = setupClient();
    const socket = await openClient(client);
    socket.receive({ type: 'error', code: 'ERR_TOKEN_EXPIRED', message: 'token expired; reconnect with a fresh token' });
    socket.drop(1005);

    expect(errors.map((e) => e.code)).toEqual(['ERR_TOKEN_EXPIRED', 'ERR_CONNECTION_LOST']);
    expect(errors[1]?.cause).toBe(errors[0]);
    expect(errors[1]?.message).toContain('token expired');
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
    client.close();
  });

  it.each(['ERR_KICKED', 'ERR_USER_BANNED'] as const)('stops, without reconnecting, when the server closed with %s', async (code) => {
    const { client, errors, getToken } = setupClient();
    const socket = await openClient(client);
    socket.receive({ type: 'error', code, message: 'removed from the room by the backend' });
    socket.drop(1005);

    expect(client.state).toBe('closed');
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([
      [code, true],
      ['ERR_CONNECTION_LOST', false],
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('reconnects with a fresh token before the 2-hour cap without backing off', async () => {
    const { client, states, getToken } = setupClient({ pingIntervalMs: 4 * 60 * 60_000 }, { ttlSeconds: 4 * 60 * 60 });
    const socket = await openClient(client);

    await vi.advanceTimersByTimeAsync(115 * 60_000 - 1);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'planned reconnect' });
    expect(states.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 0, retryInMs: 0 });
    expect(states.at(-1)?.error).toBeUndefined();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.open();
    expect(client.state).toBe('open');
    client.close();
  });

  it('ignores events from a socket it has replaced', async () => {
    const { client, errors } = setupClient({ pingIntervalMs: 60 * 60_000, maxConnectionAgeMs: 1_000 });
    const first = await openClient(client);
    await vi.advanceTimersByTimeAsync(1_000);
    FakeWebSocket.last.open();
    first.drop();
    first.receive({ type: 'message', roomId: 'r', data: 1, sentAt: 1 });
    expect(errors).toEqual([]);
    expect(client.state).toBe('open');
    client.close();
  });
});
