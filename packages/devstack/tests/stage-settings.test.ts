import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStage } from '../src/stage-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'roomgate-stage-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads stages/<stage>.yml written with `yaml`, the way `sls package` and `pnpm stage` read it. */
function load(stage: string, yaml: string) {
  writeFileSync(join(dir, `${stage}.yml`), yaml);
  return loadStage(stage, { ROOMGATE_STAGES_DIR: dir });
}

describe('large-room settings (issue 17)', () => {
  it('defaults to a 1,000-member threshold, shards of 5,000, at most 100, 25 posts in flight each', () => {
    expect(load('defaults', 'region: us-east-1\n').settings).toMatchObject({
      fanOutShardThreshold: 1000,
      fanOutShardSize: 5000,
      fanOutMaxShards: 100,
      fanOutShardConcurrency: 25,
      reservedConcurrency: { fanOutShard: null },
    });
  });

  it('refuses values the functions would refuse at cold start, naming each', () => {
    const yaml = 'fanOutShardThreshold: 0\nfanOutShardSize: 5\nfanOutMaxShards: 1\nfanOutShardConcurrency: 500\n';
    expect(() => load('bad', yaml)).toThrow(
      expect.objectContaining({
        code: 'ERR_STAGE_SETTINGS',
        problems: [
          'fanOutShardThreshold must be a whole number from 1 to 5000, got 0',
          'fanOutShardSize must be a whole number from 10 to 50000, got 5',
          'fanOutMaxShards must be a whole number from 2 to 1000, got 1',
          'fanOutShardConcurrency must be a whole number from 1 to 200, got 500',
        ],
      }),
    );
  });

  it('accepts reserved concurrency for the shard function', () => {
    expect(load('reserved', 'reservedConcurrency: { fanOutShard: 50 }\n').settings.reservedConcurrency).toMatchObject({ fanOutShard: 50 });
  });
});
