import { localClientConfig } from '@roomgate/local-aws';
import { createBroadcaster, type ManagementApi } from '@roomgate/shared/delivery';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { createDynamoDbClient, createJsonLogger, type Logger } from '@roomgate/shared/runtime';
import { measureCallCost } from '../large-room/sdk-call-cost.ts';
import { seedRoom } from '../large-room/seed-room.ts';
import { machineLoad, timeCommands } from '../large-room/where-time-goes.ts';
import { endpointsFromEnv } from '../lib/local-stack.ts';
import { fmtMicros, fmtMs, fmtRate, type Row, type Table } from '../lib/report.ts';
import { createManagementApiSimulator } from '../simulator/management-api-simulator.ts';

/** `BENCH_LARGE_ROOM_SIZES=1000,5000` for a quick look while working on it; the documented run uses the default. */
const SIZES = (process.env.BENCH_LARGE_ROOM_SIZES ?? '10000,100000').split(',').map(Number);
const QUOTA = { ratePerSecond: 10_000, burst: 5_000 };
const LATENCY_MS = { min: 10, max: 40 };
/** Connections whose client went away without a `$disconnect`: their posts answer 410. */
const GONE_FRACTION = 0.01;
const TARGET = 0.8;
const TARGET_SIZE = 100_000;
const SINGLE_CONCURRENCY = 20; // FAN_OUT_CONCURRENCY in apps/socket/serverless.yml

/** What one way of fanning out needs: the production parts, with the simulator as the management API. */
interface FanOutParts {
  store: ConnectionStore;
  management: ManagementApi;
  logger: Logger;
}

/** A way of fanning one frame out to a room; resolves when every post has been answered. */
interface FanOutPath {
  name: string;
  publish(parts: FanOutParts, roomId: string, frame: Uint8Array): Promise<void>;
}

/** Today's path: one invocation lists the room and posts, SINGLE_CONCURRENCY at a time, no retries. */
const singleInvocation: FanOutPath = {
  name: `one invocation, broadcast() ${SINGLE_CONCURRENCY} in flight`,
  async publish(parts, roomId, frame) {
    await createBroadcaster({ ...parts, concurrency: SINGLE_CONCURRENCY }).broadcast(roomId, frame);
  },
};

const PATHS: FanOutPath[] = [singleInvocation];

const frameOf = (roomId: string, marker: string): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({ type: 'message', roomId, from: 'bench-user', data: { text: 'hello, room', marker }, sentAt: Math.floor(Date.now() / 1000) }),
  );
const markerOf = (frame: Uint8Array): string => (JSON.parse(new TextDecoder().decode(frame)) as { data: { marker: string } }).data.marker;

/**
 * 7. Large rooms (issue 17): rooms of 10,000 and 100,000 connection rows in dynalite (another
 * process, the other core), one publish through the production fan-out code, with API Gateway's
 * management API replaced by the in-process simulator (src/simulator): 10–40 ms per answer, the
 * account's 10,000/s quota with its 5,000 burst, 1 % of members gone (410). The clock stops at the
 * last 200. Ceiling: members ÷ quota, the time the account's quota alone needs.
 */
export async function run(): Promise<Table[]> {
  const local = endpointsFromEnv();
  const dynamo = createDynamoDbClient(localClientConfig(local.dynamoEndpoint));
  const commands = timeCommands(dynamo);
  // Production's logger and level; stdout is /dev/null under the runner, as in the other sections.
  const logger = createJsonLogger({ level: 'info', base: { service: 'bench-large-room' } });
  const store = createConnectionStore({ client: dynamo, tableName: local.tableName });
  const rows: Row[] = [];

  try {
    process.stderr.write('  large-room: SDK cost per PostToConnection\n');
    const cost = await measureCallCost(frameOf('bench-large-cost', 'cost'));
    rows.push({
      case: 'PostToConnection, CPU per call in the caller (loopback server answering 200 at once, 20 in flight)',
      result: `SDK client ${fmtMicros(cost.sdk)}; bare node:http POST ${fmtMicros(cost.http)}; the simulator ${fmtMicros(cost.simulator)}`,
      note: `the simulator replaces the SDK call: at ${fmtRate(QUOTA.ratePerSecond)} the SDK needs ${((cost.sdk * QUOTA.ratePerSecond) / 1e6).toFixed(1)} cores, spread over the shard invocations`,
    });

    for (const size of SIZES) {
      for (const path of PATHS) {
        const roomId = `bench-large-${size}-${Date.now()}`;
        const step = Math.max(25, Math.round(size / 10 / 25) * 25);
        let shown = 0;
        const seedStart = performance.now();
        const ids = await seedRoom(dynamo, local.tableName, roomId, size, {
          progress: (written) => {
            if (written - shown < step && written !== size) return;
            shown = written;
            process.stderr.write(
              `${process.stderr.isTTY ? '\r' : '\n'}  large-room: seeding ${roomId} ${written.toLocaleString('en-US')}/${size.toLocaleString('en-US')}`,
            );
          },
        });
        process.stderr.write(` (${fmtMs(performance.now() - seedStart)})\n  large-room: ${path.name}, ${size.toLocaleString('en-US')} members\n`);

        const simulator = createManagementApiSimulator({ latencyMs: LATENCY_MS, quota: QUOTA, goneFraction: GONE_FRACTION, messageIdOf: markerOf });
        const marker = `large-${size}-${Date.now()}`;
        commands.reset();
        const busy = machineLoad();
        const cpu = process.cpuUsage();
        const start = performance.now();
        await path.publish({ store, management: simulator.api, logger }, roomId, frameOf(roomId, marker));
        const answeredMs = performance.now() - start;
        const cpuUsed = process.cpuUsage(cpu);
        const machine = busy();
        const stats = simulator.stats();
        const lastMs = (stats.lastDeliveryAt ?? start) - start;

        let lost = 0;
        let duplicates = 0;
        let gone = 0;
        for (const id of ids) {
          const times = simulator.deliveries(marker, id);
          if (simulator.isGone(id)) gone += 1;
          else if (times === 0) lost += 1;
          else if (times > 1) duplicates += times - 1;
        }
        let remaining = 0;
        for await (const member of store.roomConnections(roomId)) if (member.roomId === roomId) remaining += 1;
        const cleaned = size - remaining;

        const ceilingMs = (size / QUOTA.ratePerSecond) * 1000;
        const ratio = ceilingMs / lastMs;
        const scored = size === TARGET_SIZE;
        const ok = lost === 0 && duplicates === 0;
        const times = commands.get();
        const query = times.QueryCommand ?? { calls: 0, ms: 0 };
        const deletes = times.DeleteItemCommand ?? { calls: 0, ms: 0 };
        rows.push({
          case: `room of ${size.toLocaleString('en-US')}: ${path.name}`,
          result:
            `${fmtMs(lastMs)} to the last delivery, ${fmtRate((stats.delivered * 1000) / lastMs, ' deliveries/s')}; ` +
            `429s absorbed ${stats.throttled.toLocaleString('en-US')}, 410s cleaned ${cleaned}/${gone}, lost ${lost}, duplicates ${duplicates}`,
          baseline: `ceiling ${fmtMs(ceilingMs)}`,
          ratio,
          ...(scored ? { target: `≥ ${TARGET}, 0 lost, 0 twice`, met: ratio >= TARGET && ok && cleaned === gone } : {}),
        });
        rows.push({
          case: `  where the time went (${size.toLocaleString('en-US')})`,
          result:
            `${stats.requests.toLocaleString('en-US')} posts answered in ${fmtMs(answeredMs)}; ` +
            `dynalite Query ${query.calls} pages, ${fmtMs(query.calls > 0 ? query.ms / query.calls : 0)}/page, ${fmtMs(query.ms)} summed; ` +
            `DeleteItem ${deletes.calls}, ${fmtMs(deletes.ms)} summed; ` +
            `bench process CPU ${fmtMs((cpuUsed.user + cpuUsed.system) / 1000)}; machine ${Math.round(machine * 100)} % busy`,
        });
      }
    }
  } finally {
    dynamo.destroy();
  }
  return [
    {
      title: '7. Large rooms (dynalite rows, production fan-out, simulated management API)',
      rows,
      notes: [
        `simulator: PostToConnection answers after a uniform ${LATENCY_MS.min}–${LATENCY_MS.max} ms; account quota ${QUOTA.ratePerSecond.toLocaleString('en-US')}/s with a ${QUOTA.burst.toLocaleString('en-US')} burst (429 as LimitExceededException); ${GONE_FRACTION * 100} % of members answer 410`,
        'ceiling = members ÷ quota, the time the account quota alone needs (the burst lets a run beat it slightly); ratio = ceiling ÷ time to the last delivery',
        'lost = members not gone with no delivery; duplicates = second deliveries of the message to one member; 410s cleaned = rows deleted / members gone',
      ],
    },
  ];
}
