import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { describe, expect, it } from 'vitest';
import { parseIamCallers } from '../../../src/http/auth/iam-callers.ts';
import { CHAT_KEY, CHAT_ROLE, LOBBY_KEY } from '../../helpers/fixtures.ts';
import { chatRoom, member, roomsConfig, closingRoomsTestApps, publish } from '../../helpers/rooms-fakes.ts';

const setup = closingRoomsTestApps();

describe('caller authentication and room scope', () => {
  const requests = [
    ['POST', '/v1/rooms/chat-1/messages', { data: 'x' }],
    ['GET', '/v1/rooms/chat-1/connections', undefined],
    ['DELETE', '/v1/rooms/chat-1/users/alice', undefined],
  ] as const;

  it.each(requests)('%s %s: a caller whose scope does not cover the room gets 403 and nothing happens', async (method, url, body) => {
    const { app, mgmt, rooms, cursors, idempotency } = setup(chatRoom());
    const res = await app.inject({
      method,
      url,
      headers: { 'x-api-key': LOBBY_KEY, 'idempotency-key': 'k', ...(body && { 'content-type': 'application/json' }) },
      ...(body && { payload: JSON.stringify(body) }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'ERR_ROOM_FORBIDDEN', message: 'this caller may not act on room "chat-1"' });
    expect(mgmt.posts).toEqual([]);
    expect(mgmt.closed).toEqual([]);
    expect(rooms.table.size).toBe(5);
    expect(cursors.saved.size).toBe(0);
    expect(idempotency.records.size).toBe(0);
  });

  it.each(requests)('%s %s: no credentials is 401', async (method, url, body) => {
    const { app } = setup(chatRoom());
    const res = await app.inject({ method, url, ...(body && { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('ERR_UNAUTHENTICATED');
  });

  it('an IAM caller is scoped by IAM_CALLERS like on POST /v1/tokens', async () => {
    const iamCallers = parseIamCallers({ [CHAT_ROLE]: ['lobby'] });
    const { app, mgmt } = setup([member('c-lobby', 'lobby', 'x'), ...chatRoom()], {
      config: roomsConfig({ iamCallers }),
      iamIdentity: () => ({ userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/session' }),
    });
    expect((await publish(app, 'lobby', { data: 1 }, {})).json()).toEqual({
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
      delivered: 1,
      failed: 0,
      stale: 0,
    });
    expect((await publish(app, 'chat-1', { data: 1 }, {})).statusCode).toBe(403);
    expect(mgmt.posts.map((p) => p.connectionId)).toEqual(['c-lobby']);
  });
});

describe('validation', () => {
  const bad: Array<[string, 'POST' | 'GET' | 'DELETE', string, unknown, Record<string, string>?]> = [
    ['room id with a space', 'GET', '/v1/rooms/chat%20one/connections', undefined],
    ['room id too long', 'GET', `/v1/rooms/chat-${'x'.repeat(124)}/connections`, undefined],
    ['room id with #', 'DELETE', '/v1/rooms/chat%231/users/alice', undefined],
    ['user id with a space', 'DELETE', '/v1/rooms/chat-1/users/al%20ice', undefined],
    ['no data', 'POST', '/v1/rooms/chat-1/messages', { excludeUserId: 'alice' }],
    ['unknown property', 'POST', '/v1/rooms/chat-1/messages', { data: 1, from: 'admin' }],
    ['bad excludeUserId', 'POST', '/v1/rooms/chat-1/messages', { data: 1, excludeUserId: '' }],
    ['body not an object', 'POST', '/v1/rooms/chat-1/messages', ['data']],
    ['idempotency key with a space', 'POST', '/v1/rooms/chat-1/messages', { data: 1 }, { 'idempotency-key': 'a b' }],
    ['idempotency key too long', 'POST', '/v1/rooms/chat-1/messages', { data: 1 }, { 'idempotency-key': 'k'.repeat(256) }],
    ['limit 0', 'GET', '/v1/rooms/chat-1/connections?limit=0', undefined],
    ['limit 501', 'GET', '/v1/rooms/chat-1/connections?limit=501', undefined],
    ['limit not a number', 'GET', '/v1/rooms/chat-1/connections?limit=ten', undefined],
    ['malformed cursor', 'GET', '/v1/rooms/chat-1/connections?cursor=abc', undefined],
    ['unknown cursor', 'GET', `/v1/rooms/chat-1/connections?cursor=${'A'.repeat(24)}`, undefined],
    ['unknown query parameter', 'GET', '/v1/rooms/chat-1/connections?offset=3', undefined],
  ];

  it.each(bad)('%s → 400 ERR_VALIDATION, nothing happens', async (_label, method, url, body, headers = {}) => {
    const { app, mgmt } = setup(chatRoom());
    const res = await app.inject({
      method,
      url,
      headers: { 'x-api-key': CHAT_KEY, ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('ERR_VALIDATION');
    expect(mgmt.posts).toEqual([]);
    expect(mgmt.closed).toEqual([]);
  });

  it('a non-JSON publish body is 415', async () => {
    const { app } = setup(chatRoom());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/rooms/chat-1/messages',
      headers: { 'x-api-key': CHAT_KEY, 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(res.statusCode).toBe(415);
  });
});
