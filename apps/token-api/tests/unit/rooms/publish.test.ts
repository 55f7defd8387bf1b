import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CHAT_KEY, NOW } from '../../helpers/fixtures.ts';
import { API_GATEWAY_MAX_MESSAGE_BYTES, MAX_FRAME_DEPTH } from '@roomgate/protocol/limits';
import { silentLogger } from '@roomgate/shared/runtime';
import { createRoomPublisher } from '../../../src/rooms/publish.ts';
import { chatRoom, memoryIdempotency, roomsConfig, closingRoomsTestApps, publish } from '../../helpers/rooms-fakes.ts';

const setup = closingRoomsTestApps();

describe('POST /v1/rooms/:roomId/messages', () => {
  it('delivers the client-publish frame (no `from`) to exactly the room, then answers 200 with the counts', async () => {
    const { app, mgmt } = setup(chatRoom());
    const res = await publish(app, 'chat-1', { data: { text: 'hi' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ publishId: expect.stringMatching(PUBLISH_ID_PATTERN), delivered: 4, failed: 0, stale: 0 });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(mgmt.posts.map((p) => p.connectionId).sort()).toEqual(['c-alice-1', 'c-alice-2', 'c-anon', 'c-bob']);
    for (const { frame } of mgmt.posts) expect(frame).toEqual({ type: 'message', roomId: 'chat-1', data: { text: 'hi' }, sentAt: NOW });
  });

  it('skips every connection of excludeUserId; null is a valid `data`', async () => {
    const { app, mgmt } = setup(chatRoom());
    const res = await publish(app, 'chat-1', { data: null, excludeUserId: 'alice' });
    expect(res.json()).toEqual({ publishId: expect.stringMatching(PUBLISH_ID_PATTERN), delivered: 2, failed: 0, stale: 0 });
    expect(mgmt.posts.map((p) => p.connectionId).sort()).toEqual(['c-anon', 'c-bob']);
  });

  it('counts 410s as stale (rows deleted) and other failures as failed (rows kept)', async () => {
    const { app, mgmt, rooms } = setup(chatRoom());
    mgmt.gone.add('c-bob');
    mgmt.broken.add('c-anon');
    expect((await publish(app, 'chat-1', { data: 1 })).json()).toEqual({
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
      delivered: 2,
      failed: 1,
      stale: 1,
    });
    expect(rooms.table.has('c-bob')).toBe(false);
    expect(rooms.table.has('c-anon')).toBe(true);
  });

  it('an empty or unknown room is 200 with zero counts', async () => {
    const { app } = setup(chatRoom());
    expect((await publish(app, 'chat-nobody', { data: 'x' })).json()).toEqual({
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
      delivered: 0,
      failed: 0,
      stale: 0,
    });
  });

  it('refuses a frame over MAX_MESSAGE_BYTES with 413 ERR_MESSAGE_TOO_LARGE, and a body over the route limit with ERR_BODY_TOO_LARGE', async () => {
    const { app, mgmt } = setup(chatRoom());
    const big = await publish(app, 'chat-1', { data: 'x'.repeat(1100) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('ERR_MESSAGE_TOO_LARGE');
    const huge = await publish(app, 'chat-1', { data: 'x'.repeat(1024 + 4096 + 10) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toEqual({ code: 'ERR_BODY_TOO_LARGE', message: `request body exceeds ${1024 + 4096} bytes` });
    expect(mgmt.posts).toEqual([]);
  });

  it('holds the frame, envelope included, to MAX_MESSAGE_BYTES: a frame of exactly the limit is delivered, one byte more is 413', async () => {
    const { app, mgmt } = setup(chatRoom());
    const envelope = JSON.stringify({ type: 'message', roomId: 'chat-1', data: '', sentAt: NOW }).length;
    const fits = await publish(app, 'chat-1', { data: 'x'.repeat(1024 - envelope) });
    expect(fits.statusCode).toBe(200);
    const over = await publish(app, 'chat-1', { data: 'x'.repeat(1024 - envelope + 1) });
    expect(over.statusCode).toBe(413);
    expect(over.json().error).toEqual({ code: 'ERR_MESSAGE_TOO_LARGE', message: 'the message frame is 1025 bytes, the limit is 1024' });
    expect(mgmt.posts).toHaveLength(4);
  });

  describe('nesting: the same rule as a client frame', () => {
    const nested = (levels: number) => `{"data":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const raw = (app: FastifyInstance, payload: string) =>
      app.inject({ method: 'POST', url: '/v1/rooms/chat-1/messages', headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY }, payload });
    const wide = () => setup(chatRoom(), { config: roomsConfig({ maxMessageBytes: API_GATEWAY_MAX_MESSAGE_BYTES }) });

    // 16,000 levels used to answer 200 and deliver a 32 KB frame that overflows receivers'
    // parsers; 18,000 overflowed JSON.stringify here (500 with an error log).
    it.each([16_000, 18_000])('a body nested %i levels is 400 before it is parsed; nothing is delivered', async (levels) => {
      const { app, mgmt } = wide();
      const res = await raw(app, nested(levels));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({ code: 'ERR_VALIDATION', message: `request body nests deeper than ${MAX_FRAME_DEPTH} levels` });
      expect(mgmt.posts).toEqual([]);
    });

    it(`data nested ${MAX_FRAME_DEPTH - 1} levels is delivered (the frame has ${MAX_FRAME_DEPTH}); one more is 400`, async () => {
      const { app, mgmt } = wide();
      expect((await raw(app, nested(MAX_FRAME_DEPTH - 1))).statusCode).toBe(200);
      expect(mgmt.posts).toHaveLength(4);
      expect((await raw(app, nested(MAX_FRAME_DEPTH))).statusCode).toBe(400);
    });

    // The publisher holds the rule itself, for any caller that does not come through the parser.
    it.each([MAX_FRAME_DEPTH, 16_000, 18_000])('the publisher refuses data nested %i levels with ERR_MESSAGE_INVALID and claims no key', async (levels) => {
      const idempotency = memoryIdempotency();
      const broadcasts: string[] = [];
      const publisher = createRoomPublisher({
        broadcaster: { broadcast: async (_room, payload) => (broadcasts.push(String(await payload)), { delivered: 1, failed: 0, stale: 0 }) },
        history: undefined,
        idempotency,
        maxMessageBytes: API_GATEWAY_MAX_MESSAGE_BYTES,
        logger: silentLogger,
        clock: () => NOW,
      });
      const data: unknown = JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
      await expect(publisher.publish({ roomId: 'chat-1', data, callerId: 'k', idempotencyKey: 'i-1' })).rejects.toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
      expect(broadcasts).toEqual([]);
      expect(idempotency.records.size).toBe(0);
    });
  });

  describe('Idempotency-Key', () => {
    it('a retry with the same key delivers once and answers the first result, marked as replayed', async () => {
      const { app, mgmt } = setup(chatRoom());
      const first = await publish(app, 'chat-1', { data: 'once' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k-1' });
      mgmt.gone.add('c-bob'); // would change the counts if it were delivered again
      const retry = await publish(app, 'chat-1', { data: 'once' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k-1' });
      expect(first.statusCode).toBe(200);
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toEqual(first.json());
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(mgmt.posts).toHaveLength(4);
    });

    it('scopes keys per room and per caller', async () => {
      const { app, idempotency } = setup(chatRoom());
      await publish(app, 'chat-1', { data: 'a' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'same' });
      await publish(app, 'chat-2', { data: 'a' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'same' });
      expect([...idempotency.records.keys()]).toEqual(['chat-1#api-key:chat-backend#same', 'chat-2#api-key:chat-backend#same']);
    });

    it('the same key with another body is 422 ERR_IDEMPOTENCY_KEY_REUSED and delivers nothing', async () => {
      const { app, mgmt } = setup(chatRoom());
      await publish(app, 'chat-1', { data: 'a' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k' });
      const other = await publish(app, 'chat-1', { data: 'b' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k' });
      expect(other.statusCode).toBe(422);
      expect(other.json().error.code).toBe('ERR_IDEMPOTENCY_KEY_REUSED');
      expect(mgmt.posts).toHaveLength(4);
    });

    it('a key whose first request is still delivering is 409 ERR_IDEMPOTENCY_IN_PROGRESS', async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const slow = { broadcast: async () => (await gate, { delivered: 1, failed: 0, stale: 0 }) };
      const { app } = setup(chatRoom(), { broadcaster: slow });
      const headers = { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k' };
      const first = publish(app, 'chat-1', { data: 'slow' }, headers);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await publish(app, 'chat-1', { data: 'slow' }, headers);
      expect(second.statusCode).toBe(409);
      expect(second.json().error.code).toBe('ERR_IDEMPOTENCY_IN_PROGRESS');
      open();
      expect((await first).statusCode).toBe(200);
    });

    it('frees the key when the room cannot be listed, so a retry delivers', async () => {
      const { app, rooms, idempotency } = setup(chatRoom());
      rooms.state.unavailable = true;
      const failed = await publish(app, 'chat-1', { data: 'x' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k' });
      expect(failed.statusCode).toBe(503);
      expect(failed.json().error).toEqual({ code: 'ERR_STORE_UNAVAILABLE', message: 'the connection store is temporarily unavailable; retry shortly' });
      expect(idempotency.records.size).toBe(0);
      rooms.state.unavailable = false;
      expect((await publish(app, 'chat-1', { data: 'x' }, { 'x-api-key': CHAT_KEY, 'idempotency-key': 'k' })).json()).toMatchObject({ delivered: 4 });
    });
  });
});
