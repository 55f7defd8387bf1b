import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createPublishStatusStore, newPublishId, type FanOutShardJob } from '@roomgate/shared/delivery';
import { createConnectionStore } from '@roomgate/shared/store';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { localRuntimeEnv, stubLocalAwsEnv } from '../helpers/local-runtime.ts';

/**
 * The fan-out shard function's Lambda entry (src/lambda/fan-out-shard.ts) as Lambda runs it: real
 * rows in dynalite, the publishes table, a loopback `@connections` endpoint, and stdout read back.
 * A large room's deliveries must reach the same metrics (and so the delivery-failures alarm) as a
 * small room's, and its lines must carry the invocation's ids like every other handler's.
 */

type Answer = 'ok' | 'gone' | 'throttled-twice';

let server: Server;
let endpointUrl: string;
const answers = new Map<string, Answer>();
const seen = new Map<string, number>();
let dynamo: DynamoDBClient;
let handler: (event: unknown, context?: { awsRequestId: string; functionName: string }) => Promise<unknown>;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    for await (const _chunk of req) void _chunk;
    const connectionId = decodeURIComponent(/\/@connections\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    const count = (seen.get(connectionId) ?? 0) + 1;
    seen.set(connectionId, count);
    const answer = answers.get(connectionId) ?? 'gone';
    // Twice: the management client's own 2 attempts, so the shard's backoff retries the third.
    if (answer === 'throttled-twice' && count <= 2) {
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'LimitExceededException' }).end('{"message":"slow down"}');
    } else res.writeHead(answer === 'gone' ? 410 : 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stubLocalAwsEnv();
  const env = localRuntimeEnv({
    PUBLISHES_TABLE_NAME: inject('publishesTableName'),
    PUBLIC_KEYS_SECRET_ID: 'roomgate/shard/public-keys',
    MANAGEMENT_ENDPOINT: endpointUrl,
    STAGE: 'test',
    LOG_LEVEL: 'info', // the test reads the shard's own lines
  });
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  ({ handler } = (await import('../../src/lambda/fan-out-shard.ts')) as unknown as { handler: typeof handler });
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  dynamo?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A room of `ok` live members, one gone (410) and one throttled twice, and a one-shard job for it. */
async function seedJob(ok: number): Promise<FanOutShardJob> {
  const roomId = `shard-${randomUUID().slice(0, 8)}`;
  const store = createConnectionStore({ client: dynamo, tableName: inject('tableName') });
  const connectedAt = Math.floor(Date.now() / 1000) - 60;
  const ids: [string, Answer][] = [
    ...Array.from({ length: ok }, (): [string, Answer] => [randomUUID().replace(/-/g, '').slice(0, 16), 'ok']),
    [randomUUID().replace(/-/g, '').slice(0, 16), 'gone'],
    [randomUUID().replace(/-/g, '').slice(0, 16), 'throttled-twice'],
  ];
  for (const [connectionId, answer] of ids) {
    answers.set(connectionId, answer);
    await store.put({ connectionId, roomId, userId: 'u', capabilities: ['subscribe'], tokenExpiresAt: connectedAt + 3600, connectedAt });
  }
  const publishId = newPublishId();
  const status = createPublishStatusStore({ client: dynamo, tableName: inject('publishesTableName'), deadlineSeconds: 420 });
  await status.create({ publishId, roomId, shards: 1 });
  return { kind: 'roomgate.fan-out-shard', publishId, roomId, index: 0, shards: 1, range: {}, frame: Buffer.from('{"type":"message"}').toString('base64') };
}

/** Runs `fn` and returns the JSON lines it wrote to stdout (log lines and EMF lines). */
async function stdoutOf(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await fn().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const emf = (lines: Record<string, unknown>[], name: string) => lines.filter((line) => '_aws' in line && name in line);

describe('the fan-out shard function (Lambda entry)', () => {
  it('counts its deliveries, 410s, throttles and outcome in EMF, flushed after the invocation', async () => {
    const job = await seedJob(3);
    const lines = await stdoutOf(() => handler(job, { awsRequestId: 'req-shard-1', functionName: 'roomgate-socket-test-fanOutShard' }));

    expect(emf(lines, 'Deliveries')).toEqual([expect.objectContaining({ service: 'roomgate-socket', stage: 'test', Deliveries: 4 })]);
    expect(emf(lines, 'DeliveryStale')).toEqual([expect.objectContaining({ DeliveryStale: 1, DeliveryFailed: 0 })]);
    expect(emf(lines, 'Throttles')).toEqual([expect.objectContaining({ dependency: 'management-api', Throttles: 1 })]);
    expect(emf(lines, 'FanOutShards')).toEqual([expect.objectContaining({ outcome: 'done', FanOutShards: 1 })]);
  });

  it('a repeat of a shard that ran counts as skipped; a bad event still flushes, as failed', async () => {
    const job = await seedJob(1);
    await stdoutOf(() => handler(job, { awsRequestId: 'req-shard-2', functionName: 'f' }));
    const repeat = await stdoutOf(() => handler(job, { awsRequestId: 'req-shard-3', functionName: 'f' }));
    expect(emf(repeat, 'FanOutShards')).toEqual([expect.objectContaining({ outcome: 'skipped', FanOutShards: 1 })]);
    expect(emf(repeat, 'Deliveries')).toEqual([]);

    let thrown: unknown;
    const bad = await stdoutOf(() => handler({ kind: 'nope' }, { awsRequestId: 'req-shard-4', functionName: 'f' }).catch((error: unknown) => (thrown = error)));
    expect(thrown).toMatchObject({ code: 'ERR_SHARD_JOB_INVALID' });
    expect(emf(bad, 'FanOutShards')).toEqual([expect.objectContaining({ outcome: 'failed', FanOutShards: 1 })]);
  });

  it('every line carries the one shape: the Lambda fields, the publish and the shard', async () => {
    const job = await seedJob(1);
    const lines = await stdoutOf(() => handler(job, { awsRequestId: 'req-shard-5', functionName: 'roomgate-socket-test-fanOutShard' }));
    const logs = lines.filter((line) => !('_aws' in line));
    expect(logs.map((line) => line.message)).toContain('fan-out shard done');
    for (const line of logs)
      expect(line).toMatchObject({
        service: 'roomgate-socket',
        stage: 'test',
        function_name: 'roomgate-socket-test-fanOutShard',
        function_request_id: 'req-shard-5',
        cold_start: expect.any(Boolean),
        publishId: job.publishId,
        shard: 0,
      });
  });
});
