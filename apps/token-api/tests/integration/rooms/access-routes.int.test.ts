import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createAccessStore, type AccessStore } from '@roomgate/shared/access';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_KEY, EVERY_ROOM_KEY, LOBBY_KEY, NOW } from '../../helpers/fixtures.ts';
import { member, roomsTestApp, type Row } from '../../helpers/rooms-fakes.ts';

/** Bans and revocations through the Rooms app, with the real access store on dynalite. */
let dynamo: DynamoDBClient;
let access: AccessStore;
const apps: FastifyInstance[] = [];

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  access = createAccessStore({ client: dynamo, tableName: inject('accessTableName'), clock: () => NOW });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(() => dynamo.destroy());

const setup = (rows: Row[] = []) => {
  const t = roomsTestApp(rows, { access });
  apps.push(t.app);
  return t;
};
const json = { 'x-api-key': CHAT_KEY, 'content-type': 'application/json' };

describe('PUT/DELETE/GET /v1/rooms/{roomId}/bans', () => {
  it('bans: closes the user’s connections in that room with ERR_USER_BANNED, lists the ban, lifts it', async () => {
    const room = `chat-${randomUUID().slice(0, 8)}`;
    const { app, mgmt } = setup([member('c-1', room, 'mallory'), member('c-2', room, 'bob'), member('c-3', 'chat-elsewhere', 'mallory')]);
    const put = await app.inject({ method: 'PUT', url: `/v1/rooms/${room}/bans/mallory`, headers: json, payload: { durationSeconds: 600, reason: 'spam' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ bannedUntil: new Date((NOW + 600) * 1000).toISOString().replace('.000Z', 'Z'), disconnected: 1, failed: 0 });
    expect(mgmt.closed).toEqual(['c-1']);
    expect(mgmt.posts[0]?.frame).toMatchObject({ type: 'error', code: 'ERR_USER_BANNED' });
    await expect(access.assertAdmitted({ roomId: room, userId: 'mallory', issuedAt: NOW })).rejects.toMatchObject({ code: 'ERR_USER_BANNED' });

    const list = await app.inject({ method: 'GET', url: `/v1/rooms/${room}/bans`, headers: { 'x-api-key': CHAT_KEY } });
    expect(list.json()).toMatchObject({ bans: [{ userId: 'mallory', reason: 'spam' }] });

    const lift = await app.inject({ method: 'DELETE', url: `/v1/rooms/${room}/bans/mallory`, headers: { 'x-api-key': CHAT_KEY } });
    expect(lift.json()).toEqual({ lifted: true });
    await expect(access.assertAdmitted({ roomId: room, userId: 'mallory', issuedAt: NOW })).resolves.toBeUndefined();
  });

  it('pages through bans with a cursor that only works for its room', async () => {
    const room = `chat-${randomUUID().slice(0, 8)}`;
    const { app } = setup();
    for (const user of ['u1', 'u2', 'u3'])
      await app.inject({ method: 'PUT', url: `/v1/rooms/${room}/bans/${user}`, headers: json, payload: { durationSeconds: 60 } });
    const first = (await app.inject({ method: 'GET', url: `/v1/rooms/${room}/bans?limit=2`, headers: { 'x-api-key': CHAT_KEY } })).json();
    expect(first.bans).toHaveLength(2);
    const second = (
      await app.inject({ method: 'GET', url: `/v1/rooms/${room}/bans?limit=2&cursor=${first.cursor}`, headers: { 'x-api-key': CHAT_KEY } })
    ).json();
    expect([...first.bans, ...second.bans].map((b: { userId: string }) => b.userId)).toEqual(['u1', 'u2', 'u3']);
    const foreign = await app.inject({ method: 'GET', url: `/v1/rooms/chat-other/bans?cursor=${first.cursor}`, headers: { 'x-api-key': CHAT_KEY } });
    expect(foreign.statusCode).toBe(400);
  });

  it.each([
    ['out of scope', LOBBY_KEY, { durationSeconds: 60 }, 403],
    ['no duration', CHAT_KEY, {}, 400],
    ['duration 0', CHAT_KEY, { durationSeconds: 0 }, 400],
  ])('refuses a ban %s', async (_name, key, payload, status) => {
    const { app } = setup();
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/rooms/chat-1/bans/mallory',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(status);
  });
});

describe('POST /v1/revocations', () => {
  it('by user in a room: 201, closes that user’s older connections there with ERR_TOKEN_REVOKED', async () => {
    const room = `chat-${randomUUID().slice(0, 8)}`;
    const rows = [
      { ...member('c-old', room, 'eve'), tokenIssuedAt: NOW - 100 },
      { ...member('c-new', room, 'eve'), tokenIssuedAt: NOW },
      { ...member('c-else', 'chat-x', 'eve'), tokenIssuedAt: NOW - 100 },
    ];
    const { app, mgmt } = setup(rows as Row[]);
    const res = await app.inject({ method: 'POST', url: '/v1/revocations', headers: json, payload: { userId: 'eve', issuedBefore: NOW - 10, roomId: room } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ disconnected: 1 });
    expect(mgmt.closed).toEqual(['c-old']);
    expect(mgmt.posts[0]?.frame).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
  });

  // Blind test, issue 15: the `*` check compared parsed patterns as strings, so no caller could.
  it.each([
    ['by jti', { jti: `every-${randomUUID()}` }],
    ['by user and issue time', { userId: 'eve', issuedBefore: NOW - 10 }],
  ])('a caller scoped to every room ("*") revokes %s without naming a room', async (_name, payload) => {
    const rows = [{ ...member('c-anywhere', 'lobby', 'eve'), tokenIssuedAt: NOW - 100, tokenId: (payload as { jti?: string }).jti }];
    const { app, mgmt } = setup(rows as Row[]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/revocations',
      headers: { 'x-api-key': EVERY_ROOM_KEY, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(201);
    expect(mgmt.closed).toEqual(['c-anywhere']);
  });

  it.each([
    ['without roomId by a caller not scoped to every room', { jti: 'abc' }, 403],
    ['for a room out of scope', { jti: 'abc', roomId: 'lobby' }, 403],
    ['with both jti and userId', { jti: 'abc', userId: 'eve', issuedBefore: NOW, roomId: 'chat-1' }, 400],
    ['with issuedBefore in the future', { userId: 'eve', issuedBefore: NOW + 3600, roomId: 'chat-1' }, 400],
  ])('refuses a revocation %s', async (_name, payload, status) => {
    const { app } = setup();
    const res = await app.inject({ method: 'POST', url: '/v1/revocations', headers: json, payload });
    expect(res.statusCode).toBe(status);
  });
});
