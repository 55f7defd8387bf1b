import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenGrant } from '../../src/index.ts';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { flush, openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

describe('close', () => {
  it('closes the socket, rejects what is pending and leaves no timer behind', async () => {
    const { client, states } = setupClient();
    const socket = await openClient(client);
    const publishing = client.publish('x');
    client.close();

    await expect(publishing).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(client.state).toBe('closed');
    expect(states.at(-1)).toEqual({ state: 'closed', previous: 'open' });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * 60 * 60_000);
    expect(socket.sent.map((frame) => frame.action)).toEqual(['history', 'publish']);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('stops a pending retry', async () => {
    const { client, getToken } = setupClient();
    void client.connect();
    await flush();
    FakeWebSocket.last.refuse();
    expect(client.state).toBe('reconnecting');
    client.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('rejects connect() and drops a token that arrives after close', async () => {
    let deliver: (grant: TokenGrant) => void = () => undefined;
    const { client } = setupClient({ getToken: () => new Promise<TokenGrant>((resolve) => (deliver = resolve)) });
    const connecting = client.connect();
    client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    deliver({ token: 'late', socketUrl: 'wss://socket.test/', expiresAt: Date.now() + 300_000 });
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(client.state).toBe('closed');
  });

  it('can connect again after close', async () => {
    const { client } = setupClient();
    await openClient(client);
    client.close();
    await openClient(client);
    expect(client.state).toBe('open');
    expect(FakeWebSocket.instances).toHaveLength(2);
    client.close();
  });
});
