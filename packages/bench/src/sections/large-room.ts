import { createRequire } from 'node:module';
import { localClientConfig } from '@roomgate/local-aws';
import { createConnectionStore } from '@roomgate/shared/store';
import { createDynamoDbClient, createJsonLogger } from '@roomgate/shared/runtime';
import { sharded, singleInvocation, type FanOutPath, type ShardedSettings } from '../large-room/fan-out-paths.ts';
import { measureCallCost } from '../large-room/sdk-call-cost.ts';
import { seedRoom } from '../large-room/seed-room.ts';
import { localAwsCpuSeconds, machineLoad, timeCommands } from '../large-room/where-time-goes.ts';
import { endpointsFromEnv } from '../lib/local-stack.ts';
import { asPrinted, fmtMicros, fmtMs, fmtRate, type Row, type Table } from '../lib/report.ts';
import { createManagementApiSimulator } from '../simulator/management-api-simulator.ts';

/** `BENCH_LARGE_ROOM_SIZES=1000,5000` for a quick look while working on it; the documented run uses the default. */
const SIZES = (process.env.BENCH_LARGE_ROOM_SIZES ?? '10000,100000').split(',').map(Number);
const QUOTA = { ratePerSecond: 10_000, burst: 5_000 };
const LATENCY_MS = { min: 10, max: 40 };
/** Connections whose client went away without a `$disconnect`: their posts answer 410. */
const GONE_FRACTION = 0.01;
const TARGET = 0.8;
const TARGET_SIZE = 100_000;
/** The single-invocation path takes ~2 minutes at 100,000 (it was measured once, docs/benchmarks.md); it runs at 10,000 as the baseline. */
const SINGLE_UP_TO = 10_000;

/** Lambda's default concurrency for an account's unreserved functions (Lambda quotas). */
const ACCOUNT_CONCURRENCY = 1_000;
// The stage defaults every deployed stage starts from: the one implementation both serverless.yml files load.
const stageDefaults = createRequire(import.meta.url)(new URL('../../../../stages/settings.cjs', import.meta.url).pathname).DEFAULTS as {
  fanOutShardThreshold: number;
  fanOutShardSize: number;
  fanOutMaxShards: number;
  fanOutShardConcurrency: number;
  reservedConcurrency: { fanOutShard: number | null };
};
const DEPLOYED: ShardedSettings = {
  threshold: stageDefaults.fanOutShardThreshold,
  shardSize: stageDefaults.fanOutShardSize,
  maxShards: stageDefaults.fanOutMaxShards,
  shardConcurrency: stageDefaults.fanOutShardConcurrency,
  lambdaConcurrency: stageDefaults.reservedConcurrency.fanOutShard ?? ACCOUNT_CONCURRENCY,
};

/**
 * `BENCH_LARGE_ROOM_SHARDING=2000x25,1000x50`: run the sharded path once per `shardSize×shardConcurrency`
 * (how the defaults were chosen, docs/benchmarks.md); unset, the stage defaults alone.
 */
const VARIANTS: Partial<ShardedSettings>[] = (process.env.BENCH_LARGE_ROOM_SHARDING ?? '').split(',').flatMap((spec) => {
  if (spec.trim() === '') return [];
  const [shardSize, shardConcurrency] = spec.split('x').map(Number);
  if (!Number.isInteger(shardSize) || !Number.isInteger(shardConcurrency))
    throw new Error(`BENCH_LARGE_ROOM_SHARDING: "${spec}" is not <shardSize>x<concurrency>`);
  return [{ shardSize: shardSize!, shardConcurrency: shardConcurrency! }];
});
if (VARIANTS.length === 0) VARIANTS.push({});

const markerOf = (frame: Uint8Array): string => (JSON.parse(new TextDecoder().decode(frame)) as { data: { marker: string } }).data.marker;
const n = (value: number): string => value.toLocaleString('en-US');

/**
 * 7. Large rooms (issue 17): rooms of 10,000 and 100,000 connection rows in dynalite (another
 * process, the other core), one publish through the production publisher, with API Gateway's
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
    process.stderr.write('  large-room: CPU per PostToConnection\n');
    const frame = new TextEncoder().encode(
      JSON.stringify({ type: 'message', roomId: 'bench-large-cost', from: 'bench-user', data: { text: 'hello, room' }, sentAt: 0 }),
    );
    const cost = await measureCallCost(frame);
    rows.push({
      case: 'PostToConnection, CPU per call in the caller (loopback server answering 200 at once, 20 in flight)',
      result: `SDK client ${fmtMicros(cost.sdk)}; bare node:http POST ${fmtMicros(cost.http)}; the simulator ${fmtMicros(cost.simulator)}`,
      note: `the simulator replaces the SDK call: at ${fmtRate(QUOTA.ratePerSecond)} the SDK needs ${((cost.sdk * QUOTA.ratePerSecond) / 1e6).toFixed(1)} cores, spread over the shard invocations`,
    });

    for (const size of SIZES) {
      const paths: FanOutPath[] = [...(size <= SINGLE_UP_TO ? [singleInvocation] : []), ...VARIANTS.map((variant) => sharded({ ...DEPLOYED, ...variant }))];
      for (const path of paths) rows.push(...(await measure(path, size)));
    }
  } finally {
    dynamo.destroy();
  }

  async function measure(path: FanOutPath, size: number): Promise<Row[]> {
    const roomId = `bench-large-${size}-${Date.now()}`;
    const step = Math.max(25, Math.round(size / 10 / 25) * 25);
    let shown = 0;
    const seedStart = performance.now();
    const ids = await seedRoom(dynamo, local.tableName, roomId, size, {
      progress: (written) => {
        if (written - shown < step && written !== size) return;
        shown = written;
        process.stderr.write(`${process.stderr.isTTY ? '\r' : '\n'}  large-room: seeding ${roomId} ${n(written)}/${n(size)}`);
      },
    });
    process.stderr.write(` (${fmtMs(performance.now() - seedStart)})\n  large-room: ${path.name}, ${n(size)} members\n`);

    const simulator = createManagementApiSimulator({ latencyMs: LATENCY_MS, quota: QUOTA, goneFraction: GONE_FRACTION, messageIdOf: markerOf });
    const marker = `large-${size}-${Date.now()}`;
    commands.reset();
    const busy = machineLoad();
    const dynaliteCpu = localAwsCpuSeconds();
    const dynaliteBefore = dynaliteCpu?.() ?? 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await path.publish({ dynamo, store, publishesTableName: local.publishesTableName, management: simulator.api, logger }, roomId, {
      text: 'hello, room',
      marker,
    });
    const answeredMs = performance.now() - start;
    const cpuUsed = process.cpuUsage(cpu);
    const machine = busy();
    const dynaliteUsed = dynaliteCpu === undefined ? undefined : dynaliteCpu() - dynaliteBefore;
    const stats = simulator.stats();
    const lastMs = (stats.lastDeliveryAt ?? start) - start;
    // Before the check below lists the whole room: its Queries are the bench's, not the fan-out's.
    const commandTimes = commands.get();

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
    const scored = size === TARGET_SIZE && path !== singleInvocation;
    const summed = (command: string) => {
      const t = commandTimes[command] ?? { calls: 0, ms: 0 };
      return `${n(t.calls)} × ${fmtMs(t.calls > 0 ? t.ms / t.calls : 0)}`;
    };
    const status = report.status;
    return [
      {
        case: `room of ${n(size)}: ${path.name}`,
        result:
          `${fmtMs(lastMs)} to the last delivery, ${fmtRate((stats.delivered * 1000) / lastMs, ' deliveries/s')}; ` +
          `429s absorbed ${n(stats.throttled)}, 410s cleaned ${n(cleaned)}/${n(gone)}, lost ${n(lost)}, duplicates ${n(duplicates)}`,
        baseline: `ceiling ${fmtMs(ceilingMs)}`,
        ratio,
        ...(scored ? { target: `≥ ${TARGET}, 0 lost, 0 twice`, met: asPrinted(ratio) >= TARGET && lost === 0 && duplicates === 0 && cleaned === gone } : {}),
      },
      {
        case: `  where the time went`,
        result: [
          `publish returned after ${fmtMs(report.returnedMs)}${report.shards ? ` (${report.shards} shards queued)` : ''}`,
          `${n(stats.requests)} posts answered by ${fmtMs(answeredMs)}`,
          `dynalite Query ${summed('QueryCommand')}, DeleteItem ${summed('DeleteItemCommand')}, UpdateItem ${summed('UpdateItemCommand')} (wall, overlapping)`,
          ...(report.backoff ? [`throttle backoff ${n(report.backoff.waits)} waits, ${fmtMs(report.backoff.ms)} summed`] : []),
          ...(status
            ? [
                `status ${status.state}: delivered ${n(status.delivered)}, stale ${n(status.stale)}, failed ${n(status.failed)}, ${status.shardsDone}/${status.shards} shards`,
              ]
            : []),
          ...(report.shardErrors ? [`${report.shardErrors} shards threw (first: ${report.firstShardError ?? '?'})`] : []),
          `CPU: dynalite ${dynaliteUsed === undefined ? 'unknown' : fmtMs(dynaliteUsed * 1000)}, bench process ${fmtMs((cpuUsed.user + cpuUsed.system) / 1000)}; machine ${Math.round(machine * 100)} % busy`,
        ].join('; '),
      },
    ];
  }

  return [
    {
      title: '7. Large rooms (dynalite rows, production publisher and shard worker, simulated management API)',
      rows,
      notes: [
        `simulator: PostToConnection answers after a uniform ${LATENCY_MS.min}–${LATENCY_MS.max} ms; account quota ${n(QUOTA.ratePerSecond)}/s with a ${n(QUOTA.burst)} burst (429 as LimitExceededException); ${GONE_FRACTION * 100} % of members answer 410`,
        'sharded: each shard job is JSON round-tripped and run by the production runFanOutShard as its own in-process "invocation", at most the shard function\'s Lambda concurrency at once; Lambda queueing and cold starts are not included',
        'ceiling = members ÷ quota, the time the account quota alone needs (the burst lets a run beat it slightly); ratio = ceiling ÷ time to the last delivery',
        'lost = members not gone with no delivery; duplicates = second deliveries of the message to one member; 410s cleaned = rows deleted / members gone',
      ],
    },
  ];
}
