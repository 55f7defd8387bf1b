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

describe('every level of a stage file is checked (issue 14, blind review)', () => {
  it.each([
    ['throttle: {websocket: {rateLimit: 5}}\n', 'unknown setting throttle.websocket (known: socket, tokenApi)'],
    ['throttle: 5\n', 'throttle must be a mapping of socket, tokenApi, got 5'],
    ['throttle: {socket: 5}\n', 'throttle.socket must be a mapping of rateLimit, burstLimit, got 5'],
    ['throttle: {tokenApi: {rate: 5}}\n', 'unknown setting throttle.tokenApi.rate (known: rateLimit, burstLimit)'],
    ['reservedConcurrency: 5\n', 'reservedConcurrency must be a mapping of connect, disconnect, default, fanOutShard, api, rooms, got 5'],
    ['reservedConcurrency: {token: 5}\n', 'unknown setting reservedConcurrency.token (known: connect, disconnect, default, fanOutShard, api, rooms)'],
    ['tokenIssuer: "   "\n', 'tokenIssuer must be a non-empty string, got "   "'],
    ['tokenAudience: ""\n', 'tokenAudience must be a non-empty string, got ""'],
    ['region: xx-fake-1\n', 'region must be an AWS region such as us-east-1, got "xx-fake-1"'],
    ['region: us-east1\n', 'region must be an AWS region such as us-east-1, got "us-east1"'],
    ['region: us-fake-1\n', 'region "us-fake-1" is not a known region of the aws partition'],
    ['region: cn-south-9\n', 'region "cn-south-9" is not a known region of the aws-cn partition (cn-north-1, cn-northwest-1)'],
    [
      'region: cn-north-1\niamCallers: {"arn:aws:iam::111122223333:role/chat": ["chat-*"]}\n',
      'iamCallers: "arn:aws:iam::111122223333:role/chat" is in partition aws, the stage\'s region cn-north-1 in aws-cn',
    ],
  ])('%s is refused', (yaml, problem) => {
    expect(() => load('nested', yaml)).toThrow(expect.objectContaining({ code: 'ERR_STAGE_SETTINGS', problems: [expect.stringContaining(problem)] }));
  });

  it.each(['cn-north-1', 'us-gov-west-1', 'eu-west-1', 'ap-southeast-7', 'us-isob-east-1'])('accepts the region %s', (region) => {
    expect(load('regions', `region: ${region}\n`).settings.region).toBe(region);
  });

  it('names no stage file when there is none', () => {
    expect(() => loadStage('nofile', { ROOMGATE_STAGES_DIR: dir }, { region: 'eu-west-1' })).toThrow(
      'stage nofile (no stages/nofile.yml: the defaults): --region eu-west-1 differs from the stage\'s region us-east-1: keys and both stacks must share one region; declare "region: eu-west-1" in stages/nofile.yml instead',
    );
  });
});
