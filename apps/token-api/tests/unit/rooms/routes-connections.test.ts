import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CHAT_KEY, NOW } from '../../helpers/fixtures.ts';
import { chatRoom, member, closingRoomsTestApps } from '../../helpers/rooms-fakes.ts';

const setup = closingRoomsTestApps();

describe('GET /v1/rooms/:roomId/connections', () => {
  const list = (app: FastifyInstance, query = '', roomId = 'chat-1', key = CHAT_KEY) =>
    app.inject({ method: 'GET', url: `/v1/rooms/${roomId}/connections${query}`, headers: { 'x-api-key': key } });

  it('lists userId, connectedAt and capabilities per connection, and never a connection id', async () => {
    const { app } = setup(chatRoom());
    const res = await list(app);
    expect(res.statusCode).toBe(200);
    const at = new Date((NOW - 60) * 1000).toISOString().replace('.000Z', 'Z');
    expect(res.json()).toEqual({
      connections: [
        { userId: 'alice', connectedAt: at, capabilities: ['subscribe', 'publish'] },
        { userId: 'alice', connectedAt: at, capabilities: ['subscribe'] },
        { connectedAt: at, capabilities: ['subscribe', 'publish'] },
        { userId: 'bob', connectedAt: at, capabilities: ['subscribe', 'publish'] },
      ],
      nextCursor: null,
    });
    expect(res.body).not.toMatch(/c-alice|c-bob|c-anon|connectionId/);
  });

  it('pages with an opaque cursor bound to the room and the caller', async () => {
    const { app, cursors } = setup(chatRoom());
    const first = (await list(app, '?limit=3')).json();
    expect(first.connections).toHaveLength(3);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(JSON.stringify([...cursors.saved.values()])).toContain('c-anon'); // the position stays server-side
    const second = (await list(app, `?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second).toEqual({ connections: [expect.objectContaining({ userId: 'bob' })], nextCursor: null });
    const elsewhere = await list(app, `?cursor=${first.nextCursor}`, 'chat-2');
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.code).toBe('ERR_VALIDATION');
  });

  it('drops rows past their TTL backstop', async () => {
    const { app } = setup([member('live', 'chat-1', 'a'), member('dead', 'chat-1', 'b', { expiresAt: NOW - 1 })]);
    expect((await list(app)).json().connections.map((c: { userId: string }) => c.userId)).toEqual(['a']);
  });

  it('accepts the longest valid room id (128 characters)', async () => {
    const { app } = setup(chatRoom());
    expect((await list(app, '', `chat-${'x'.repeat(123)}`)).statusCode).toBe(200);
  });

  it('an unknown room is an empty list, not an error', async () => {
    const { app } = setup(chatRoom());
    const res = await list(app, '', 'chat-nobody-here');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ connections: [], nextCursor: null });
  });
});

describe('DELETE /v1/rooms/:roomId/users/:userId', () => {
  const kick = (app: FastifyInstance, roomId: string, userId: string, key = CHAT_KEY) =>
    app.inject({ method: 'DELETE', url: `/v1/rooms/${roomId}/users/${userId}`, headers: { 'x-api-key': key } });

  it('tells, closes and removes every connection of the user in that room; others stay', async () => {
    const { app, mgmt, rooms } = setup(chatRoom());
    const res = await kick(app, 'chat-1', 'alice');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ disconnected: 2, failed: 0 });
    expect(mgmt.closed.sort()).toEqual(['c-alice-1', 'c-alice-2']);
    expect(mgmt.posts.map((p) => p.frame)).toEqual([
      { type: 'error', code: 'ERR_KICKED', message: 'disconnected from the room by its backend' },
      { type: 'error', code: 'ERR_KICKED', message: 'disconnected from the room by its backend' },
    ]);
    expect([...rooms.table.keys()].sort()).toEqual(['c-anon', 'c-bob', 'c-other-room']);
  });

  it('a connection already gone still has its row removed; a close that fails keeps its row and is counted', async () => {
    const { app, mgmt, rooms } = setup(chatRoom());
    mgmt.gone.add('c-alice-1');
    mgmt.broken.add('c-alice-2');
    expect((await kick(app, 'chat-1', 'alice')).json()).toEqual({ disconnected: 1, failed: 1 });
    expect(rooms.table.has('c-alice-1')).toBe(false);
    expect(rooms.table.has('c-alice-2')).toBe(true);
  });

  it('an unknown user is 200 with zero (the request is idempotent)', async () => {
    const { app } = setup(chatRoom());
    expect((await kick(app, 'chat-1', 'nobody')).json()).toEqual({ disconnected: 0, failed: 0 });
  });
});
