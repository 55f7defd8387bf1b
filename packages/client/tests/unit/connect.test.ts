import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRoomClient, RoomClientError } from '../../src/index.ts';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { flush, openClient, setupClient, SOCKET_URL } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

describe('connect', () => {
  it('offers roomgate.v1 first and the token as a subprotocol, then reports open', async () => {
    const { client, states } = setupClient();
    const socket = await openClient(client);

    expect(socket.url).toBe(SOCKET_URL);
    expect(socket.protocols).toEqual(['roomgate.v1', 'roomgate.token.t1']);
    expect(client.state).toBe('open');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('names the expected room in the query string', async () => {
    const { client } = setupClient({ roomId: 'lobby' });
    await openClient(client);
    expect(FakeWebSocket.last.url).toBe(`${SOCKET_URL}?room=lobby`);
  });

  it('uses a presigned URL that already names its room byte for byte (IAM mode)', async () => {
    // Not in canonical form on purpose: re-serializing would turn `~` into %7E and `%2f` into %2F.
    const signed =
      'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod?room=lobby&token=t1&X-Amz-Credential=AKIA%2f20300101%2feu-west-1%2fexecute-api%2faws4_request&X-Amz-Security-Token=a~b&X-Amz-Signature=00ff';
    const { client } = setupClient({ roomId: 'lobby', getToken: async () => ({ token: 't1', socketUrl: signed, expiresAt: Date.now() + 300_000 }) });
    await openClient(client);
    expect(FakeWebSocket.last.url).toBe(signed);
  });

  it('is idempotent while connecting or open', async () => {
    const { client, getToken } = setupClient();
    const first = client.connect();
    const second = client.connect();
    await flush();
    FakeWebSocket.last.open();
    await Promise.all([first, second, client.connect()]);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('delivers room messages with the sender from the token', async () => {
    const { client } = setupClient();
    const messages: unknown[] = [];
    client.on('message', (m) => messages.push(m));
    const socket = await openClient(client);
    socket.receive({ type: 'message', roomId: 'lobby', from: 'alice', data: { text: 'hi' }, sentAt: 1 });
    expect(messages).toEqual([{ roomId: 'lobby', from: 'alice', data: { text: 'hi' }, sentAt: 1 }]);
  });

  it('reports a frame it cannot read as ERR_PROTOCOL and stays open', async () => {
    const { client, errors } = setupClient();
    const socket = await openClient(client);
    socket.receive('not json');
    expect(errors.map((e) => e.code)).toEqual(['ERR_PROTOCOL']);
    expect(client.state).toBe('open');
  });

  it('throws ERR_NO_WEBSOCKET when there is no WebSocket to use', () => {
    const original = (globalThis as { WebSocket?: unknown }).WebSocket;
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() => createRoomClient({ getToken: async () => ({ token: 't', socketUrl: SOCKET_URL, expiresAt: 0 }) })).toThrow(
        expect.objectContaining({ code: 'ERR_NO_WEBSOCKET' }),
      );
    } finally {
      vi.stubGlobal('WebSocket', original);
    }
  });

  it('gives up when getToken throws a non-retryable error, rejecting connect()', async () => {
    const refused = Object.assign(new Error('room forbidden'), { retryable: false });
    const { client, states } = setupClient({ getToken: vi.fn().mockRejectedValue(refused) });
    const connecting = client.connect();
    const outcome = connecting.catch((error: unknown) => error);
    await flush();

    const error = (await outcome) as RoomClientError;
    expect(error).toBeInstanceOf(RoomClientError);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_FETCH_FAILED', retryable: false, cause: refused });
    expect(client.state).toBe('closed');
    expect(states.at(-1)).toMatchObject({ state: 'closed', error: { code: 'ERR_TOKEN_FETCH_FAILED' } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a grant without a usable expiry', async () => {
    const { client, errors } = setupClient({ getToken: async () => ({ token: 't', socketUrl: SOCKET_URL, expiresAt: 'soon' }) });
    void client.connect().catch(() => undefined);
    await flush();
    expect(errors[0]).toMatchObject({ code: 'ERR_TOKEN_FETCH_FAILED' });
    expect(client.state).toBe('reconnecting');
    client.close();
  });
});
