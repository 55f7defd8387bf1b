import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { ConfigError, StoreUnavailableError } from '@roomgate/shared/errors';
import type { Broadcaster, BroadcastResult } from '@roomgate/shared/delivery';
import { describe, expect, it } from 'vitest';
import type { WebSocketMessageEvent } from '../../../src/events.ts';
import { makeDefaultHandler } from '../../../src/handlers/default.ts';
import { admitAll, noRateLimit, NOW, expiredToken, fakeManagement, fakeVerifier, grant, memoryLogger, memoryStore, row } from '../../helpers/fakes.ts';

const verifier = fakeVerifier({
  fresh: grant({ expiresAt: NOW + 900 }),
  'fresh-subscriber': grant({ expiresAt: NOW + 900, capabilities: ['subscribe'] }),
  'other-room': grant({ roomId: 'room-b' }),
  'other-user': grant({ userId: 'mallory' }),
  expired: expiredToken,
});

function fakeBroadcaster(result: BroadcastResult | Error = { delivered: 3, failed: 0, stale: 1 }) {
  const calls: { roomId: string; payload: string }[] = [];
  const broadcaster: Broadcaster = {
    async broadcast(roomId, payload) {
      calls.push({ roomId, payload: String(await payload) });
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { broadcaster, calls };
}

function setup(options: { record?: ReturnType<typeof row> | null; now?: number; broadcast?: BroadcastResult | Error } = {}) {
  const store = memoryStore(options.record === null ? [] : [options.record ?? row()]);
  const management = fakeManagement();
  const logger = memoryLogger();
  const { broadcaster, calls } = fakeBroadcaster(options.broadcast);
  const handler = makeDefaultHandler({
    admission: admitAll,
    rateLimit: noRateLimit,
    verifier,
    store,
    broadcaster,
    management,
    logger,
    maxMessageBytes: 1024,
    clockToleranceSeconds: 5,
    clock: () => options.now ?? NOW,
  });
  const send = async (body: unknown, extra: Partial<WebSocketMessageEvent> = {}) => {
    const result = await handler({
      requestContext: { connectionId: 'conn-1', routeKey: '$default', eventType: 'MESSAGE' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...extra,
    });
    return { ...result, frame: result.body === undefined ? undefined : (JSON.parse(result.body) as Record<string, unknown>) };
  };
  return { store, management, logger, calls, send };
}

describe('$default', () => {
  it('answers ping with pong, echoing the frame id', async () => {
    const { send } = setup();
    expect((await send({ action: 'ping', id: 7 })).frame).toEqual({ type: 'pong', id: 7 });
  });

  it('fans a publish out to the sender’s room and acks with the counts', async () => {
    const { send, calls } = setup();
    const { frame } = await send({ action: 'publish', data: { text: 'hi' }, id: 'm1' });
    expect(frame).toEqual({
      type: 'ack',
      action: 'publish',
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
      delivered: 3,
      failed: 0,
      stale: 1,
      id: 'm1',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.roomId).toBe('room-a');
    expect(JSON.parse(calls[0]!.payload)).toEqual({ type: 'message', roomId: 'room-a', from: 'alice', data: { text: 'hi' }, sentAt: NOW });
  });

  it('decodes a base64 body', async () => {
    const { send } = setup();
    const body = Buffer.from(JSON.stringify({ action: 'ping' })).toString('base64');
    expect((await send(body, { isBase64Encoded: true })).frame).toEqual({ type: 'pong' });
  });

  it.each([
    ['malformed JSON', '{"action":', 'ERR_MESSAGE_INVALID'],
    ['a JSON array', '[1,2]', 'ERR_MESSAGE_INVALID'],
    ['an empty body', '', 'ERR_MESSAGE_INVALID'],
    ['no action', { data: 1 }, 'ERR_MESSAGE_INVALID'],
    ['an unknown action', { action: 'subscribe', id: 4 }, 'ERR_UNKNOWN_ACTION'],
    ['a publish without data', { action: 'publish' }, 'ERR_MESSAGE_INVALID'],
    ['a refresh without token', { action: 'refresh' }, 'ERR_MESSAGE_INVALID'],
    ['a frame over the limit', { action: 'publish', data: 'x'.repeat(2000) }, 'ERR_MESSAGE_TOO_LARGE'],
  ])('answers %s with an error frame and keeps the connection', async (_name, body, code) => {
    const { send, management, store, calls } = setup();
    const result = await send(body);
    expect(result.statusCode).toBe(200);
    expect(result.frame).toMatchObject({ type: 'error', code });
    expect(typeof result.frame?.message).toBe('string');
    expect(management.closed).toEqual([]);
    expect(store.table.has('conn-1')).toBe(true);
    expect(calls).toEqual([]);
  });

  it('echoes the id of a frame it refused when it could read one', async () => {
    const { send } = setup();
    expect((await send({ action: 'nope', id: 'q' })).frame).toMatchObject({ code: 'ERR_UNKNOWN_ACTION', id: 'q' });
  });

  it('refuses publish without the publish capability', async () => {
    const { send, calls } = setup({ record: row({ capabilities: ['subscribe'] }) });
    expect((await send({ action: 'publish', data: 'hi' })).frame).toMatchObject({ type: 'error', code: 'ERR_CAPABILITY_FORBIDDEN' });
    expect(calls).toEqual([]);
  });

  it('reports a room it cannot list as an error frame, not a crash', async () => {
    const { send } = setup({ broadcast: new StoreUnavailableError() });
    expect((await send({ action: 'publish', data: 'hi' })).frame).toEqual({
      type: 'error',
      code: 'ERR_STORE_UNAVAILABLE',
      message: 'service temporarily unavailable, retry',
    });
  });

  // toPublicError (issue 12): a failure that is roomgate's own used to reach the client with its
  // code and internal message at warn level.
  it('reports a server-side fault as ERR_INTERNAL without its message, logged at error', async () => {
    const { send, logger } = setup({ broadcast: new ConfigError(['FAN_OUT_CONCURRENCY must be a positive integer']) });
    expect((await send({ action: 'publish', data: 'hi', id: 3 })).frame).toEqual({ type: 'error', code: 'ERR_INTERNAL', message: 'internal error', id: 3 });
    expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('reports a store outage while loading the connection as an error frame and keeps it open', async () => {
    const { send, store, management } = setup();
    store.fail.get = new StoreUnavailableError();
    expect((await send({ action: 'ping' })).frame).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(management.closed).toEqual([]);
  });

  it('closes a connection that has no row', async () => {
    const { send, management } = setup({ record: null });
    const result = await send({ action: 'ping' });
    expect(result.body).toBeUndefined();
    expect(management.closed).toEqual(['conn-1']);
    expect(JSON.parse(management.posts[0]!.data)).toMatchObject({ type: 'error', code: 'ERR_UNAUTHENTICATED' });
  });

  describe('token lifetime on a live connection', () => {
    it('a refresh with a fresh token for the same room moves tokenExpiresAt and capabilities', async () => {
      const { send, store } = setup();
      const { frame } = await send({ action: 'refresh', token: 'fresh-subscriber', id: 1 });
      expect(frame).toEqual({ type: 'refreshed', tokenExpiresAt: NOW + 900, id: 1 });
      expect(store.table.get('conn-1')).toMatchObject({ tokenExpiresAt: NOW + 900, capabilities: ['subscribe'] });
    });

    it.each([
      ['another room', 'other-room', 'ERR_ROOM_FORBIDDEN'],
      ['another user', 'other-user', 'ERR_TOKEN_INVALID'],
      ['an expired token', 'expired', 'ERR_TOKEN_EXPIRED'],
      ['a forged token', 'forged', 'ERR_TOKEN_INVALID'],
    ])('refuses a refresh with %s and leaves the row alone', async (_name, token, code) => {
      const { send, store, management } = setup();
      expect((await send({ action: 'refresh', token })).frame).toMatchObject({ type: 'error', code });
      expect(store.table.get('conn-1')?.tokenExpiresAt).toBe(NOW + 240);
      expect(management.closed).toEqual([]);
    });

    it("a refused refresh's line names the token by fingerprint and its header's kid, never the token", async () => {
      const { send, logger } = setup();
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = `${b64({ alg: 'ES256', kid: 'k-next' })}.${b64({ sub: 'alice' })}.c2ln`;
      await send({ action: 'refresh', token });
      const line = logger.lines.find((l) => l.msg === 'frame refused');
      expect(line?.fields).toMatchObject({ code: 'ERR_TOKEN_INVALID', kid: 'k-next', token: expect.stringMatching(/^sha256:/) });
      expect(JSON.stringify(logger.lines)).not.toContain(token);
    });

    it('closes an expired connection at its next frame via DeleteConnection, telling it why', async () => {
      const { send, store, management, calls } = setup({ now: NOW + 300 });
      const result = await send({ action: 'publish', data: 'late' });
      expect(result).toEqual({ statusCode: 200, frame: undefined });
      expect(calls).toEqual([]);
      expect(JSON.parse(management.posts[0]!.data)).toMatchObject({ type: 'error', code: 'ERR_TOKEN_EXPIRED' });
      expect(management.closed).toEqual(['conn-1']);
      expect(store.table.has('conn-1')).toBe(false);
    });

    it('closes an expired connection even when its frame is malformed', async () => {
      const { send, management } = setup({ now: NOW + 300 });
      await send('not json');
      expect(management.closed).toEqual(['conn-1']);
    });

    it('keeps a connection within the clock tolerance', async () => {
      const { send, management } = setup({ now: NOW + 244 });
      expect((await send({ action: 'ping' })).frame).toEqual({ type: 'pong' });
      expect(management.closed).toEqual([]);
    });

    it('lets an expired connection refresh instead of being closed', async () => {
      const { send, store, management } = setup({ now: NOW + 300 });
      expect((await send({ action: 'refresh', token: 'fresh' })).frame).toMatchObject({ type: 'refreshed' });
      expect(management.closed).toEqual([]);
      expect((await send({ action: 'ping' })).frame).toEqual({ type: 'pong' });
      expect(store.table.get('conn-1')?.tokenExpiresAt).toBe(NOW + 900);
    });

    it('closes an expired connection whose refresh fails', async () => {
      const { send, management, store } = setup({ now: NOW + 300 });
      await send({ action: 'refresh', token: 'other-room' });
      expect(management.closed).toEqual(['conn-1']);
      expect(store.table.has('conn-1')).toBe(false);
    });
  });

  it('never logs a refresh token', async () => {
    const { send, logger } = setup();
    await send({ action: 'refresh', token: 'fresh' });
    await send({ action: 'refresh', token: 'forged' });
    expect(JSON.stringify(logger.lines)).not.toMatch(/"fresh"|"forged"/);
  });
});
