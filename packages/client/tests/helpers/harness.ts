import { vi } from 'vitest';
import { createRoomClient, type RoomClientError, type RoomClientOptions, type StateChange, type TokenGrant } from '../../src/index.ts';
import { FakeWebSocket } from './fake-web-socket.ts';

export const SOCKET_URL = 'wss://socket.test/';
export const TOKEN_TTL_SECONDS = 300;

/**
 * A client wired to FakeWebSocket and a counting token source (`t1`, `t2`, …, valid for five
 * minutes unless told). Run under `vi.useFakeTimers()`: the client's default timers and clock are the faked ones.
 */
export function setupClient(overrides: Partial<RoomClientOptions> = {}, { ttlSeconds = TOKEN_TTL_SECONDS } = {}) {
  let issued = 0;
  const getToken = vi.fn(async (): Promise<TokenGrant> => {
    issued += 1;
    return { token: `t${issued}`, socketUrl: SOCKET_URL, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(), expiresIn: ttlSeconds };
  });
  const client = createRoomClient({ getToken, WebSocket: FakeWebSocket, random: () => 0, ...overrides });
  const states: StateChange[] = [];
  const errors: RoomClientError[] = [];
  client.on('state', (change) => states.push(change));
  client.on('error', (error) => errors.push(error));
  return { client, getToken, states, errors };
}

/** Lets pending promise callbacks (the token fetch) run without moving the clock. */
export const flush = () => vi.advanceTimersByTimeAsync(0);

/** Connects and opens the socket; returns it. */
export async function openClient(client: ReturnType<typeof setupClient>['client']): Promise<FakeWebSocket> {
  const opened = client.connect();
  await flush();
  const socket = FakeWebSocket.last;
  socket.open();
  await opened;
  return socket;
}
