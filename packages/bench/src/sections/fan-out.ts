import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { localClientConfig } from '@roomgate/local-aws';
import { createConnectionStore, type RoomMember } from '@roomgate/shared/store';
import { createBroadcaster } from '@roomgate/shared/delivery';
import { importSigningKey, createSigner } from '@roomgate/shared/tokens';
import { createDynamoDbClient, createManagementApiClient, silentLogger } from '@roomgate/shared/runtime';
import WebSocket from 'ws';
import { startOffline } from '@roomgate/socket/testing/offline';
import { endpointsFromEnv, seedStage } from '../lib/local-stack.ts';
import { median } from '../lib/measure.ts';
import { registerCleanup } from '../lib/processes.ts';
import { asPrinted, fmtMicros, fmtMs, fmtRate, type Row, type Table } from '../lib/report.ts';

const SIZES = [10, 100, 1000];
const CONCURRENCY = 20; // FAN_OUT_CONCURRENCY in apps/socket/serverless.yml
const TARGET = 0.9;
// serverless-offline starts one more Lambda worker per concurrent $connect; more than a few at once fails handshakes with 502.
const JOIN_CONCURRENCY = 4;

interface Member {
  ws: WebSocket;
}

/**
 * Every client counts the frames carrying the marker of the current round; `arrival` resolves
 * when all members have one, i.e. when the last client received the message.
 */
export class Room {
  readonly members: Member[] = [];
  #marker = '';
  #remaining = 0;
  #done: (() => void) | undefined;

  add(ws: WebSocket): void {
    ws.on('message', (data) => {
      if (this.#marker !== '' && String(data).includes(this.#marker)) {
        this.#remaining -= 1;
        if (this.#remaining === 0) this.#done?.();
      }
    });
    this.members.push({ ws });
  }

  arrival(marker: string, timeoutMs = 30_000): Promise<void> {
    this.#marker = marker;
    this.#remaining = this.members.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.#remaining} of ${this.members.length} never received ${marker}`)), timeoutMs);
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * serverless-offline starts another Lambda worker for each concurrent `$connect` and sometimes
 * answers 502 while one boots on a loaded machine; a refused handshake wrote nothing, so retry.
 */
export async function join(url: string, token: string): Promise<WebSocket> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open(url, token);
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('502')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['roomgate.v1', `roomgate.token.${token}`]);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length && failure === undefined) await work(items[next++] as T).catch((error: unknown) => (failure ??= error));
    }),
  );
  if (failure !== undefined) throw failure;
}

/**
 * 4. Fan-out on the local stack: apps/socket under serverless-offline (its real build and
 * handlers, dynalite, the local Secrets Manager), real `ws` clients in this process. One member
 * publishes; the clock stops when the last member has the message. Baseline: the same number of
 * PostToConnection calls with the same concurrency, fired from this process straight at the
 * offline management endpoint (no Lambda, no DynamoDB).
 */
export async function run(): Promise<Table[]> {
  const local = endpointsFromEnv();
  const seeded = await seedStage(local.secretsEndpoint, 'local', 'RS256');
  const signer = createSigner({ key: await importSigningKey(seeded.record), issuer: 'roomgate', audience: 'roomgate-socket' });
  const roomId = `bench-fanout-${Date.now()}`;
  const { token } = await signer.sign({ roomId, userId: 'bench-user', ttlSeconds: 3600 });

  process.stderr.write('  fan-out: starting serverless-offline\n');
  const offline = await startOffline({
    ROOMGATE_TABLE_NAME: local.tableName,
    // Bans, revocations and single-use claims: the access table local-aws-server.ts created beside it.
    ROOMGATE_ACCESS_TABLE_NAME: local.accessTableName,
    // A room of fanOutShardThreshold members or more is sharded: its status goes to the publishes table (local-aws-server.ts).
    ROOMGATE_PUBLISHES_TABLE_NAME: local.publishesTableName,
    ROOMGATE_DYNAMODB_ENDPOINT: local.dynamoEndpoint,
    ROOMGATE_SECRETS_ENDPOINT: local.secretsEndpoint,
    // This section measures fan-out alone; the history section measures what history adds.
    ROOMGATE_HISTORY_TTL_SECONDS: '0',
  });
  const unregister = registerCleanup(() => offline.stop());
  const dynamo = createDynamoDbClient(localClientConfig(local.dynamoEndpoint));
  const store = createConnectionStore({ client: dynamo, tableName: local.tableName });
  const management = await createManagementApiClient(localClientConfig(offline.managementEndpoint)).get();
  const room = new Room();
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      process.stderr.write(`  fan-out: room of ${size}\n`);
      // The first join alone warms a $connect worker; then a few at a time.
      if (room.members.length === 0) room.add(await join(offline.wsUrl, token));
      const missing = Array.from({ length: size - room.members.length }, (_, i) => i);
      await pool(missing, JOIN_CONCURRENCY, async () => room.add(await join(offline.wsUrl, token)));
      const ids: string[] = [];
      for await (const member of store.roomConnections(roomId)) ids.push(member.connectionId);
      if (ids.length !== size) throw new Error(`room has ${ids.length} rows, expected ${size}`);

      const publisher = room.members[0]!.ws;
      const ours: number[] = [];
      const raw: number[] = [];
      const rounds = size >= 1000 ? 3 : 5;
      for (let round = 0; round < rounds; round += 1) {
        const marker = `ours-${size}-${round}`;
        let arrived = room.arrival(marker);
        let start = performance.now();
        publisher.send(JSON.stringify({ action: 'publish', data: { text: 'hello, room', marker } }));
        await arrived;
        ours.push(performance.now() - start);

        // Same frame shape and size as the service's envelope.
        const rawMarker = `rawp-${size}-${round}`;
        const data = new TextEncoder().encode(
          JSON.stringify({
            type: 'message',
            roomId,
            from: 'bench-user',
            data: { text: 'hello, room', marker: rawMarker },
            sentAt: Math.floor(Date.now() / 1000),
          }),
        );
        arrived = room.arrival(rawMarker);
        start = performance.now();
        await pool(ids, CONCURRENCY, async (id) => {
          await management.send(new PostToConnectionCommand({ ConnectionId: id, Data: data }));
        });
        await arrived;
        raw.push(performance.now() - start);
      }
      const oursMs = median(ours);
      const rawMs = median(raw);
      const ratio = rawMs / oursMs;
      rows.push(
        {
          case: `room of ${size}: raw PostToConnection ×${size}, ${CONCURRENCY} at a time`,
          result: `${fmtMs(rawMs)} to last client, ${fmtRate((size * 1000) / rawMs, ' deliveries/s')}`,
          note: 'baseline',
        },
        {
          case: `room of ${size}: publish → last client receives`,
          result: `${fmtMs(oursMs)}, ${fmtRate((size * 1000) / oursMs, ' deliveries/s')}`,
          baseline: 'raw posts',
          ratio,
          target: `≥ ${TARGET}`,
          met: asPrinted(ratio) >= TARGET,
        },
      );
    }

    // Our side of each delivery, without the network: Query pages on dynalite + the worker pool
    // and counters, with a management API that answers at once.
    process.stderr.write('  fan-out: bookkeeping per delivery\n');
    const instant = { post: async () => {} };
    const viaDynamo = createBroadcaster({ store, management: instant, concurrency: CONCURRENCY, logger: silentLogger });
    const members: RoomMember[] = [];
    for await (const member of store.roomConnections(roomId)) members.push(member);
    const inMemory = createBroadcaster({
      store: {
        roomConnections: async function* () {
          yield* members;
        },
        deleteGone: async () => 'deleted' as const,
      },
      management: instant,
      concurrency: CONCURRENCY,
      logger: silentLogger,
    });
    const perDelivery = async (broadcaster: typeof viaDynamo) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const start = performance.now();
        const result = await broadcaster.broadcast(roomId, 'x'.repeat(120));
        times.push(((performance.now() - start) * 1000) / result.delivered);
      }
      return median(times);
    };
    const dynamoCost = await perDelivery(viaDynamo);
    const memoryCost = await perDelivery(inMemory);
    rows.push(
      { case: `broadcast to ${members.length}: Query (dynalite, 100/page) + bookkeeping`, result: `${fmtMicros(dynamoCost)}/delivery` },
      { case: `broadcast to ${members.length}: bookkeeping only (in-memory members)`, result: `${fmtMicros(memoryCost)}/delivery` },
    );
  } catch (error) {
    process.stderr.write(`serverless-offline output (tail):\n${offline.logs().slice(-2000)}\n`);
    throw error;
  } finally {
    unregister();
    await offline.stop();
    for (const member of room.members) member.ws.terminate();
    management.destroy();
    dynamo.destroy();
  }
  return [
    {
      title: '4. Fan-out (serverless-offline, real ws clients, one room grown 10 → 100 → 1,000)',
      rows,
      notes: [
        `ours = a member sends {"action":"publish"}; $default runs in serverless-offline (GetItem, Query byRoom, PostToConnection × N, ${CONCURRENCY} at a time); the clock stops when the last member has the frame`,
        'raw = the same number of PostToConnection calls (same SDK client, same concurrency, same-size frame) fired from the bench process at the offline management endpoint',
        'the last two rows are the per-delivery cost of our own code with the network taken out (a management API that resolves at once)',
      ],
    },
  ];
}
