import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { createVerifier, staticKeys } from '@roomgate/shared/tokens';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { makeTestKey } from '@roomgate/shared/testing';
import { makeDefaultHandler } from '../../src/handlers/default.ts';
import { MANAGEMENT_CLIENT_SETTINGS, createRuntime, type Runtime } from '../../src/lambda/runtime.ts';
import { localRuntimeEnv, stubLocalAwsEnv } from '../helpers/local-runtime.ts';
import { admitAll, noRateLimit, memoryLogger } from '../helpers/fakes.ts';

/**
 * A fan-out where PostToConnection misbehaves per connection — never answers, answers 410, answers
 * 500, throttles, or fails once — through the socket's own runtime (its management client
 * settings) against a loopback `@connections` endpoint. Every live connection still receives,
 * exactly the 410s are deleted, and the ack's counts match what happened.
 */

type Behaviour = 'ok' | 'hang' | 'gone' | 'error' | 'throttle' | 'flaky';

interface Endpoint {
  url: string;
  behaviour: Map<string, Behaviour>;
  /** Every request: connection id and whether it was answered 200. */
  requests: { connectionId: string; delivered: boolean }[];
  close(): Promise<void>;
}

async function startConnectionsEndpoint(): Promise<Endpoint> {
  const behaviour = new Map<string, Behaviour>();
  const requests: Endpoint['requests'] = [];
  const hung = new Set<ServerResponse>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _chunk of req) void _chunk;
    const connectionId = decodeURIComponent(/\/@connections\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    const what = behaviour.get(connectionId) ?? 'gone';
    const seen = requests.filter((r) => r.connectionId === connectionId).length;
    const answer = (status: number, type?: string) => {
      requests.push({ connectionId, delivered: status === 200 });
      res.writeHead(status, type ? { 'content-type': 'application/json', 'x-amzn-errortype': type } : {}).end(type ? '{"message":"no"}' : undefined);
    };
    switch (what) {
      case 'ok':
        return answer(200);
      case 'hang':
        requests.push({ connectionId, delivered: false });
        hung.add(res);
        return undefined;
      case 'gone':
        return answer(410); // bare, as serverless-offline answers
      case 'error':
        return answer(500, 'InternalServerErrorException');
      case 'throttle':
        return answer(429, 'LimitExceededException');
      case 'flaky':
        return seen === 0 ? answer(500, 'InternalServerErrorException') : answer(200);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    behaviour,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ISS = 'roomgate';
const AUD = 'roomgate-socket';
const ATTEMPTS = MANAGEMENT_CLIENT_SETTINGS.maxAttempts;

let endpoint: Endpoint;
let runtime: Runtime;
let dynamo: DynamoDBClient;
let table: ConnectionStore;

beforeAll(async () => {
  stubLocalAwsEnv();
  vi.stubEnv('AWS_MAX_ATTEMPTS', '5');
  endpoint = await startConnectionsEndpoint();
  runtime = createRuntime(localRuntimeEnv({ MANAGEMENT_ENDPOINT: endpoint.url, FAN_OUT_CONCURRENCY: '4' }));
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  table = createConnectionStore({ client: dynamo, tableName: inject('tableName') });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  dynamo?.destroy();
  await endpoint?.close();
});

async function seedRoom(plan: Record<Behaviour, number>) {
  const roomId = `fan-${randomUUID().slice(0, 8)}`;
  const ids = {} as Record<Behaviour, string[]>;
  for (const [what, count] of Object.entries(plan) as [Behaviour, number][]) {
    ids[what] = [];
    for (let i = 0; i < count; i += 1) {
      const connectionId = `${what}-${i}-${randomUUID()}`;
      ids[what].push(connectionId);
      endpoint.behaviour.set(connectionId, what);
      // Connected a minute ago, past the handshake window: a 410 then proves the connection gone.
      const connectedAt = Math.floor(Date.now() / 1000) - 60;
      await table.put({ connectionId, roomId, userId: 'alice', capabilities: ['subscribe', 'publish'], tokenExpiresAt: connectedAt + 360, connectedAt });
    }
  }
  return { roomId, ids };
}

const requestsTo = (id: string) => endpoint.requests.filter((r) => r.connectionId === id);
const members = async (roomId: string) => (await table.listRoom(roomId, { limit: 100 })).members.map((m) => m.connectionId).sort();

describe('fan-out with timeouts, 410s and 5xx mixed in', () => {
  it('every live connection receives, only the 410s are deleted, the counts match, and it finishes', async () => {
    // Four hung connections fill all four workers at once: without a request timeout the
    // fan-out would stall there (the SDK's default socket timeout is minutes, the Lambda's 10 s).
    const { roomId, ids } = await seedRoom({ ok: 12, hang: 4, gone: 3, error: 2, throttle: 2, flaky: 2 });

    const result = await runtime.broadcaster.broadcast(roomId, JSON.stringify({ type: 'message', data: 'hi' }));

    expect(result).toEqual({ delivered: 12 + 2, failed: 4 + 2 + 2, stale: 3 });
    for (const id of [...ids.ok, ...ids.flaky]) expect(requestsTo(id).filter((r) => r.delivered)).toHaveLength(1);
    // Bounded retries: a timed-out, 5xx or throttled post is tried exactly maxAttempts times; 410 is final.
    for (const id of [...ids.hang, ...ids.error, ...ids.throttle]) expect(requestsTo(id)).toHaveLength(ATTEMPTS);
    for (const id of ids.gone) expect(requestsTo(id)).toHaveLength(1);
    expect(await members(roomId)).toEqual([...ids.ok, ...ids.hang, ...ids.error, ...ids.throttle, ...ids.flaky].sort());
  });

  it('the publisher’s ack carries the same counts, and a later fan-out after recovery reaches everyone left', async () => {
    const { roomId, ids } = await seedRoom({ ok: 3, hang: 1, gone: 2, error: 1, throttle: 0, flaky: 0 });
    const sender = ids.ok[0]!;
    const key = await makeTestKey('EdDSA');
    const handler = makeDefaultHandler({
      admission: admitAll,
      rateLimit: noRateLimit,
      verifier: createVerifier({ keys: staticKeys([key.verification]), issuer: ISS, audience: AUD }),
      store: runtime.store,
      broadcaster: runtime.broadcaster,
      management: runtime.management,
      logger: memoryLogger(),
      maxMessageBytes: 32 * 1024,
    });
    const publish = async (id: string) =>
      JSON.parse(
        (await handler({ requestContext: { connectionId: sender }, body: JSON.stringify({ action: 'publish', data: 'x', id }) })).body ?? '{}',
      ) as unknown;

    expect(await publish('p1')).toEqual({
      type: 'ack',
      action: 'publish',
      delivered: 3,
      failed: 2,
      stale: 2,
      id: 'p1',
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
    });
    expect(await members(roomId)).toEqual([...ids.ok, ...ids.hang, ...ids.error].sort());

    for (const id of [...ids.hang, ...ids.error]) endpoint.behaviour.set(id, 'ok');
    expect(await publish('p2')).toEqual({
      type: 'ack',
      action: 'publish',
      delivered: 5,
      failed: 0,
      stale: 0,
      id: 'p2',
      publishId: expect.stringMatching(PUBLISH_ID_PATTERN),
    });
    for (const id of [...ids.ok, ...ids.hang, ...ids.error]) expect(requestsTo(id).filter((r) => r.delivered).length).toBeGreaterThanOrEqual(1);
  });

  it('management client settings are explicit: 2 attempts, standard retry mode, request timeout', () => {
    expect(MANAGEMENT_CLIENT_SETTINGS).toEqual({
      maxAttempts: 2,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
    });
  });
});
