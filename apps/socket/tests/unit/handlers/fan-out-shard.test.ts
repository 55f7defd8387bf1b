import type { Metrics } from '@roomgate/shared/runtime';
import { describe, expect, it } from 'vitest';
import { makeFanOutShardHandler } from '../../../src/handlers/fan-out-shard.ts';
import { fakeManagement, memoryLogger, memoryStore } from '../../helpers/fakes.ts';

describe('the fan-out shard handler', () => {
  it('without a publishes table refuses every job with ERR_CONFIG_INVALID, counted as a failed shard', async () => {
    const counted: unknown[] = [];
    const metrics: Metrics = { count: (name, dimensions) => counted.push([name, dimensions]), milliseconds: () => {}, flush: () => {} };
    const handler = makeFanOutShardHandler({
      store: memoryStore(),
      management: fakeManagement(),
      status: undefined,
      logger: memoryLogger(),
      metrics,
      concurrency: 1,
    });
    await expect(handler({})).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('PUBLISHES_TABLE_NAME') });
    expect(counted).toEqual([['FanOutShards', { outcome: 'failed' }]]);
  });
});
