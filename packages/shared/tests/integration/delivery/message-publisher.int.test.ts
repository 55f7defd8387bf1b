import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, UndeliveredPublishError } from '../../../src/errors.ts';
import type { BroadcastOptions, Broadcaster } from '../../../src/delivery/fan-out.ts';
import { FrameError } from '@roomgate/protocol/errors';
import { HISTORY_MAX_FRAME_BYTES } from '@roomgate/protocol/history';
import { createHistoryStore, type HistoryStore } from '../../../src/history/history-store.ts';
import { createMessagePublisher } from '../../../src/delivery/message-publisher.ts';
import { localHistoryTable, uniqueRoom, type LocalTable } from '../../helpers/local-table.ts';

const NOW = 1_800_000_000;
let table: LocalTable;
let history: HistoryStore;

beforeAll(async () => {
  table = await localHistoryTable();
  history = createHistoryStore({ client: table.client, tableName: table.tableName, ttlSeconds: 600, maxMessages: 1000, clock: () => NOW });
});
afterAll(async () => table?.close());

function recordingBroadcaster(fail?: Error) {
  const sent: { roomId: string; payload: string; options?: BroadcastOptions }[] = [];
  const broadcaster: Broadcaster = {
    async broadcast(roomId, payload, options) {
      if (fail) throw fail;
      sent.push({ roomId, payload: String(await payload), ...(options ? { options } : {}) });
      return { delivered: 2, failed: 0, stale: 0 };
    },
  };
  return { sent, broadcaster };
}

describe('the one publish path (history on)', () => {
  it('stores the frame with its seq and epoch, then fans out exactly the stored string', async () => {
    const room = uniqueRoom();
    const { sent, broadcaster } = recordingBroadcaster();
    const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: 32 * 1024, clock: () => NOW });
    const one = await publisher.publish({ roomId: room, from: 'alice', data: { text: 'hi' }, broadcast: { excludeUserId: 'bob' } });
    const two = await publisher.publish({ roomId: room, data: 'server' });
    expect(one).toMatchObject({ seq: 1, delivered: 2, failed: 0, stale: 0 });
    expect(two).toMatchObject({ seq: 2, epoch: one.epoch });
    expect(JSON.parse(sent[0]!.payload)).toEqual({ type: 'message', roomId: room, seq: 1, epoch: one.epoch, from: 'alice', data: { text: 'hi' }, sentAt: NOW });
    expect(sent[0]!.options).toEqual({ excludeUserId: 'bob' });
    const page = await history.read(room, { since: 0, limit: 10 });
    expect(page.messages.map((m) => m.frame)).toEqual(sent.map((s) => s.payload));
    expect(one.bytes).toBe(Buffer.byteLength(sent[0]!.payload));
  });

  it('refuses a frame that would not fit a history reply, storing and sending nothing', async () => {
    const room = uniqueRoom();
    const { sent, broadcaster } = recordingBroadcaster();
    const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: 128 * 1024 });
    const error = await publisher.publish({ roomId: room, data: 'x'.repeat(HISTORY_MAX_FRAME_BYTES) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE', message: expect.stringContaining(`the limit is ${HISTORY_MAX_FRAME_BYTES}`) });
    expect(sent).toEqual([]);
    expect(await history.read(room, { since: 0, limit: 10 })).toMatchObject({ epoch: null, messages: [] });
  });

  it('a room that cannot be listed after the write: stored, position reported, retryable code', async () => {
    const room = uniqueRoom();
    const { broadcaster } = recordingBroadcaster(new StoreUnavailableError());
    const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: 32 * 1024 });
    const error = await publisher.publish({ roomId: room, data: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeliveredPublishError);
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', position: { seq: 1 } });
    expect((await history.read(room, { since: 0, limit: 10 })).messages).toHaveLength(1);
  });
});

describe('the one publish path (history off)', () => {
  it('sends frames without seq or epoch and touches no table', async () => {
    const { sent, broadcaster } = recordingBroadcaster();
    const publisher = createMessagePublisher({ broadcaster, history: undefined, maxFrameBytes: 128 * 1024, clock: () => NOW });
    const result = await publisher.publish({ roomId: 'r', data: 'x'.repeat(HISTORY_MAX_FRAME_BYTES) });
    expect(result.seq).toBeUndefined();
    expect(result.epoch).toBeUndefined();
    const frame = JSON.parse(sent[0]!.payload);
    expect(frame).not.toHaveProperty('seq');
    expect(frame).not.toHaveProperty('epoch');
  });
});
