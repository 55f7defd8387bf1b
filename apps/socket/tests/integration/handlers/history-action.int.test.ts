import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import type { Broadcaster } from '@roomgate/shared/delivery';
import { createHistoryStore, type HistoryStore } from '@roomgate/shared/history';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WebSocketMessageEvent } from '../../../src/events.ts';
import { makeDefaultHandler } from '../../../src/handlers/default.ts';
import { admitAll, noRateLimit, NOW, fakeManagement, fakeVerifier, memoryLogger, memoryStore, row } from '../../helpers/fakes.ts';

/** `$default` with history on: publish acks carry seq/epoch, `history` replays from the real table. */
let dynamo: DynamoDBClient;
let history: HistoryStore;

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  history = createHistoryStore({ client: dynamo, tableName: inject('historyTableName'), ttlSeconds: 600, maxMessages: 1000, clock: () => NOW });
});
afterAll(() => dynamo.destroy());

function setup(options: { history?: HistoryStore | undefined; capabilities?: ('subscribe' | 'publish')[]; failBroadcast?: boolean } = {}) {
  const roomId = `room-${randomUUID().slice(0, 8)}`;
  const posted: string[] = [];
  const broadcaster: Broadcaster = {
    async broadcast(_room, payload) {
      posted.push(String(await payload));
      return { delivered: 1, failed: 0, stale: 0 };
    },
  };
  const logger = memoryLogger();
  const handler = makeDefaultHandler({
    admission: admitAll,
    rateLimit: noRateLimit,
    verifier: fakeVerifier({}),
    store: memoryStore([row({ roomId, capabilities: options.capabilities ?? ['subscribe', 'publish'] })]),
    broadcaster,
    history: 'history' in options ? options.history : history,
    management: fakeManagement(),
    logger,
    maxMessageBytes: 128 * 1024,
    clock: () => NOW,
  });
  const send = async (body: unknown) => {
    const event: WebSocketMessageEvent = { requestContext: { connectionId: 'conn-1', routeKey: '$default', eventType: 'MESSAGE' }, body: JSON.stringify(body) };
    const result = await handler(event);
    return { raw: result.body!, frame: JSON.parse(result.body!) as Record<string, unknown> };
  };
  return { roomId, posted, send, logger };
}

describe('$default with history', () => {
  it('acks a publish with its seq and epoch and fans out the frame that was stored', async () => {
    const { roomId, posted, send } = setup();
    const first = (await send({ action: 'publish', data: 'a', id: 1 })).frame;
    const second = (await send({ action: 'publish', data: 'b', id: 2 })).frame;
    expect(first).toMatchObject({ type: 'ack', action: 'publish', seq: 1, delivered: 1, failed: 0, stale: 0, id: 1 });
    expect(second).toMatchObject({ seq: 2, epoch: first.epoch });
    expect(JSON.parse(posted[1]!)).toEqual({ type: 'message', roomId, seq: 2, epoch: first.epoch, from: 'alice', data: 'b', sentAt: NOW });
  });

  it('answers history: position only without since, the missed messages with since, paged by limit', async () => {
    const { roomId, posted, send } = setup();
    for (const data of ['a', 'b', 'c']) await send({ action: 'publish', data });
    const epoch = JSON.parse(posted[0]!).epoch as string;

    expect((await send({ action: 'history', id: 'h0' })).frame).toEqual({
      type: 'history',
      roomId,
      epoch,
      lastSeq: 3,
      messages: [],
      more: false,
      recovered: true,
      id: 'h0',
    });
    const page = await send({ action: 'history', roomId, epoch, since: 1, limit: 1, id: 8 });
    expect(page.frame).toMatchObject({ type: 'history', epoch, lastSeq: 3, more: true, recovered: true, id: 8 });
    // The stored frame, byte for byte as it was fanned out.
    expect(page.raw).toContain(`"messages":[${posted[1]}]`);
    const rest = (await send({ action: 'history', epoch, since: 2 })).frame;
    expect(rest).toMatchObject({ more: false, recovered: true, messages: [JSON.parse(posted[2]!)] });
  });

  it('another epoch is not recovered and gets what is retained, without a missed range', async () => {
    const { send } = setup();
    await send({ action: 'publish', data: 'a' });
    const reply = (await send({ action: 'history', epoch: 'stale-epoch', since: 40 })).frame;
    expect(reply).toMatchObject({ recovered: false, lastSeq: 1 });
    expect(reply).not.toHaveProperty('missed');
    expect(reply.messages).toHaveLength(1);
  });

  it.each([
    [{ action: 'history', since: -1, id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', since: 1.5, id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', limit: 201, id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', limit: 0, id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', epoch: 'no spaces', id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', epoch: 7, id: 3 }, 'ERR_MESSAGE_INVALID'],
    [{ action: 'history', roomId: 'another-room', id: 3 }, 'ERR_ROOM_FORBIDDEN'],
  ])('refuses %j with %s, echoing the id', async (frame, code) => {
    const { send, logger } = setup();
    expect((await send(frame)).frame).toMatchObject({ type: 'error', code, id: 3 });
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('needs subscribe', async () => {
    const { send } = setup({ capabilities: ['publish'] });
    expect((await send({ action: 'history', id: 4 })).frame).toMatchObject({ type: 'error', code: 'ERR_CAPABILITY_FORBIDDEN', id: 4 });
  });

  it('history off: ERR_HISTORY_DISABLED for history, plain frames without seq for publish', async () => {
    const { posted, send } = setup({ history: undefined });
    expect((await send({ action: 'history', since: 0, id: 5 })).frame).toMatchObject({ type: 'error', code: 'ERR_HISTORY_DISABLED', id: 5 });
    const ack = (await send({ action: 'publish', data: 'x', id: 6 })).frame;
    expect(ack).toEqual({ type: 'ack', action: 'publish', delivered: 1, failed: 0, stale: 0, id: 6, publishId: expect.stringMatching(PUBLISH_ID_PATTERN) });
    expect(JSON.parse(posted[0]!)).not.toHaveProperty('seq');
  });

  it('keeps a reply within API Gateway’s 128 KB: large messages come one page at a time', async () => {
    const { send } = setup();
    const big = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 3; i += 1) await send({ action: 'publish', data: big });
    const reply = await send({ action: 'history', since: 0, limit: 200 });
    expect(Buffer.byteLength(reply.raw)).toBeLessThanOrEqual(128 * 1024);
    expect(reply.frame).toMatchObject({ more: true });
    expect((reply.frame.messages as unknown[]).length).toBe(2);
  });
});
