import { randomUUID } from 'node:crypto';
import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { createPublishStatusStore, FAN_OUT_SHARD_DEADLINE_SECONDS, type PublishStatus } from '@roomgate/shared/delivery';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, startSocketStack, type SocketStack } from '../helpers/offline-stack.ts';
import { connect, tokenProtocols, type Frame, type TestClient } from '../helpers/ws-client.ts';

/**
 * Issue 17 on real parts: serverless-offline runs `$default` and the fanOutShard function, the
 * publisher queues shards through offline's own Lambda Invoke API (InvocationType Event), the
 * shards read their key ranges of `byRoom` in dynalite and post through offline's management API
 * to real WebSocket clients. A threshold of 5 and shards of 10 members force a 40-member room into
 * several shards.
 */
const MEMBERS = 40;
let stack: SocketStack;
const clients: TestClient[] = [];
const roomId = `large-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  stack = await startSocketStack({
    ROOMGATE_PUBLISHES_TABLE_NAME: inject('publishesTableName'),
    ROOMGATE_FAN_OUT_SHARD_THRESHOLD: '5',
    ROOMGATE_FAN_OUT_SHARD_SIZE: '10',
  });
  for (let i = 0; i < MEMBERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, async (_, j) => {
        const { token } = await stack.signer.sign({ roomId, userId: `user-${i + j}`, ttlSeconds: 600 });
        return connect(stack.offline.wsUrl, tokenProtocols(token));
      }),
    );
    clients.push(...batch);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await stack?.stop();
});

describe('a publish into a room past fanOutShardThreshold', () => {
  it('is acked as queued, reaches every member exactly once through the shards, and its status ends done with delivered = members', async () => {
    const author = clients[0]!;
    author.send({ action: 'publish', id: 'big-1', data: { text: 'to everyone' } });
    const ack = await author
      .next((f) => f.type === 'ack' || f.type === 'error', 15_000)
      .catch((error: unknown) => {
        console.log(stack.offline.logs().slice(-6000));
        throw error;
      });
    expect(ack).toMatchObject({ type: 'ack', action: 'publish', id: 'big-1', delivered: 0, failed: 0, stale: 0, queued: { shards: expect.any(Number) } });
    expect((ack.queued as { shards: number }).shards).toBeGreaterThan(2);
    const publishId = ack.publishId as string;
    expect(publishId).toMatch(PUBLISH_ID_PATTERN);

    const isIt = (f: Frame) => f.type === 'message' && (f.data as { text?: string } | undefined)?.text === 'to everyone';
    await Promise.all(clients.map((c) => c.next(isIt, 60_000)));
    const status = createPublishStatusStore({ client: stack.dynamo, tableName: inject('publishesTableName'), deadlineSeconds: FAN_OUT_SHARD_DEADLINE_SECONDS });
    const final = await eventually(
      () => status.get(roomId, publishId),
      (s: PublishStatus | undefined) => s?.state === 'done',
      30_000,
    );
    // A late duplicate would have arrived by the time every shard reported.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(clients.map((c) => c.frames.filter(isIt).length)).toEqual(Array.from({ length: MEMBERS }, () => 1));
    expect(final).toMatchObject({ state: 'done', delivered: MEMBERS, failed: 0, stale: 0, shardsFailed: 0 });
    expect(final!.shardsDone).toBe(final!.shards);
    // Every member got the same stored frame, with the seq the ack announced.
    expect(new Set(clients.map((c) => c.frames.find(isIt)!.seq))).toEqual(new Set([ack.seq]));
  }, 120_000);
});
