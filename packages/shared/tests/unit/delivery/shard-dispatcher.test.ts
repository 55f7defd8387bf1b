import { describe, expect, it } from 'vitest';
import { ShardDispatchError } from '../../../src/errors.ts';
import { createLambdaShardDispatcher } from '../../../src/delivery/shard-dispatcher.ts';
import type { FanOutShardJob } from '../../../src/delivery/shard-job.ts';
import { LazyClient } from '../../../src/runtime/lazy-client.ts';
import type { LambdaClient } from '@aws-sdk/client-lambda';

const job = (index: number): FanOutShardJob => ({
  kind: 'roomgate.fan-out-shard',
  publishId: 'AAAAAAAAAAAAAAAAAAAAAA',
  roomId: 'room-1',
  index,
  shards: 2,
  range: {},
  frame: 'e30=',
});

describe('createLambdaShardDispatcher', () => {
  // No local server fails a client build: the lazy client's build throws as a failed SDK import would.
  it('names every job undispatched when the Lambda client cannot be built (none was queued)', async () => {
    const client = new LazyClient<LambdaClient>(async () => {
      throw new Error('import failed');
    });
    const error = await createLambdaShardDispatcher({ client, functionName: 'roomgate-socket-test-fanOutShard' })
      .dispatch([job(0), job(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardDispatchError);
    expect(error).toMatchObject({ publishId: 'AAAAAAAAAAAAAAAAAAAAAA', shards: 2, undispatched: [0, 1], cause: { message: 'import failed' } });
  });
});
