import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createHistoryStore, type HistoryStore } from '@roomgate/shared/history';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_KEY, NOW } from '../../helpers/fixtures.ts';
import { chatRoom, roomsTestApp } from '../../helpers/rooms-fakes.ts';

/** The Rooms API with history on, against the real history table on dynalite. */
let dynamo: DynamoDBClient;
let history: HistoryStore;
const apps: FastifyInstance[] = [];

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  history = createHistoryStore({ client: dynamo, tableName: inject('historyTableName'), ttlSeconds: 600, maxMessages: 1000, clock: () => NOW });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(() => dynamo.destroy());

const setup = (withHistory = true) => {
  // A fresh room per test: the table is shared by the run.
  const roomId = `chat-${randomUUID().slice(0, 8)}`;
  const t = roomsTestApp(
    chatRoom()
      .filter((r) => r.roomId === 'chat-1')
      .map((r) => ({ ...r, roomId })),
    withHistory ? { history } : {},
  );
  apps.push(t.app);
  return { ...t, roomId };
};
const headers = { 'x-api-key': CHAT_KEY };
const post = (app: FastifyInstance, roomId: string, body: unknown, extra: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/v1/rooms/${roomId}/messages`,
    headers: { 'content-type': 'application/json', ...headers, ...extra },
    payload: JSON.stringify(body),
  });
const get = (app: FastifyInstance, roomId: string, query = '', auth: Record<string, string> = headers) =>
  app.inject({ method: 'GET', url: `/v1/rooms/${roomId}/messages${query}`, headers: auth });

describe('Rooms API with history', () => {
  it('POST answers seq and epoch and fans out the stored frame; a replay keeps them', async () => {
    const { app, mgmt, roomId } = setup();
    const first = await post(app, roomId, { data: 'a' }, { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({ seq: 1, delivered: 4, failed: 0, stale: 0 });
    expect(body.epoch).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(mgmt.posts[0]!.frame).toEqual({ type: 'message', roomId, seq: 1, epoch: body.epoch, data: 'a', sentAt: NOW });
    const again = await post(app, roomId, { data: 'a' }, { 'idempotency-key': 'k-1' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(body);
    expect((await post(app, roomId, { data: 'b' })).json()).toMatchObject({ seq: 2, epoch: body.epoch });
  });

  it('GET returns the stored messages in order, pages with nextSince, and the recovery verdict', async () => {
    const { app, roomId } = setup();
    for (const data of ['a', 'b', 'c']) await post(app, roomId, { data });
    const page = await get(app, roomId, '?limit=2');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const body = page.json();
    expect(body).toMatchObject({ roomId, lastSeq: 3, recovered: true, nextSince: 2 });
    expect(body.messages).toEqual([
      { seq: 1, epoch: body.epoch, data: 'a', sentAt: NOW },
      { seq: 2, epoch: body.epoch, data: 'b', sentAt: NOW },
    ]);
    const rest = (await get(app, roomId, `?since=2&epoch=${body.epoch}`)).json();
    expect(rest.messages.map((m: { data: string }) => m.data)).toEqual(['c']);
    expect(rest).not.toHaveProperty('nextSince');
    expect((await get(app, roomId, '?since=1&epoch=other-epoch')).json()).toMatchObject({ recovered: false, lastSeq: 3 });
  });

  it('GET without since answers everything retained, recovered; with since the gone range is reported', async () => {
    let now = NOW;
    const moving = createHistoryStore({ client: dynamo, tableName: inject('historyTableName'), ttlSeconds: 600, maxMessages: 1000, clock: () => now });
    const roomId = `chat-${randomUUID().slice(0, 8)}`;
    const t = roomsTestApp(
      chatRoom()
        .filter((r) => r.roomId === 'chat-1')
        .map((r) => ({ ...r, roomId })),
      { history: moving, clock: () => now },
    );
    apps.push(t.app);
    await post(t.app, roomId, { data: 'a' });
    now = NOW + 300;
    await post(t.app, roomId, { data: 'b' });
    await post(t.app, roomId, { data: 'c' });
    now = NOW + 601; // 'a' expired
    const all = (await get(t.app, roomId)).json();
    expect(all).toMatchObject({ lastSeq: 3, recovered: true });
    expect(all).not.toHaveProperty('missed');
    expect(all.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 3]);
    expect((await get(t.app, roomId, '?since=0')).json()).toMatchObject({ recovered: false, missed: { from: 1, to: 1 } });
  });

  it('GET returns a message published with excludeUserId in full (a backend’s view)', async () => {
    const { app, roomId } = setup();
    await post(app, roomId, { data: 'secret', excludeUserId: 'alice' });
    expect((await get(app, roomId)).json().messages).toEqual([expect.objectContaining({ seq: 1, data: 'secret' })]);
  });

  it('a room without history: epoch null, lastSeq 0', async () => {
    const { app, roomId } = setup();
    expect((await get(app, roomId)).json()).toEqual({ roomId, epoch: null, lastSeq: 0, messages: [], recovered: true });
  });

  it.each(['?limit=0', '?limit=501', '?since=-1', '?since=x', '?epoch=bad%20epoch', '?other=1'])('GET %s is 400 ERR_VALIDATION', async (query) => {
    const { app, roomId } = setup();
    const res = await get(app, roomId, query);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('ERR_VALIDATION');
  });

  it('GET needs a caller whose scope covers the room', async () => {
    const { app } = setup();
    expect((await get(app, 'chat-1', '', {})).statusCode).toBe(401);
    expect((await get(app, 'lobby')).statusCode).toBe(403);
  });

  it('history off: GET is 409 ERR_HISTORY_DISABLED, POST answers without seq', async () => {
    const { app, roomId } = setup(false);
    const res = await get(app, roomId);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ERR_HISTORY_DISABLED');
    // Every publish carries its id (issue 17); without history, no seq/epoch.
    expect((await post(app, roomId, { data: 1 })).json()).toEqual({ publishId: expect.stringMatching(PUBLISH_ID_PATTERN), delivered: 4, failed: 0, stale: 0 });
  });
});
