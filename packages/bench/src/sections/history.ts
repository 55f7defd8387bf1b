import { rmSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSigningKey, createSigner } from '@roomgate/shared/tokens';
import { startOffline, type RunningOffline } from '@roomgate/socket/testing/offline';
import { endpointsFromEnv, seedStage } from '../lib/local-stack.ts';
import { median } from '../lib/measure.ts';
import { registerCleanup } from '../lib/processes.ts';
import { asPrinted, fmtMs, type Row, type Table } from '../lib/report.ts';
import { Room, join, pool } from './fan-out.ts';

const SIZES = [10, 100, 1000]; // the fan-out section's rooms
const TARGET = 1.3;
const JOIN_CONCURRENCY = 4; // as fan-out: more concurrent $connects make serverless-offline answer 502

// startOffline names its esbuild folder after the process; two services in one process need one each.
const SOCKET_DIR = fileURLToPath(new URL('../../../../apps/socket/', import.meta.url));
const buildDir = (name: string) => ({ ROOMGATE_ESBUILD_DIR: `.esbuild-bench-history-${name}-${process.pid}` });

interface Side {
  name: 'on' | 'off';
  offline: RunningOffline;
  room: Room;
}

/**
 * 5. History: what storing every message costs a publish. Two socket services under
 * serverless-offline on the same dynalite, one with history on (the default 600 s window: a
 * conditional PutItem before the fan-out) and one with `HISTORY_TTL_SECONDS=0`, each with its own
 * room of the same size. A member publishes and the clock stops when the last member has the
 * frame; rounds alternate between the two so load drifts on the shared machine hit both alike.
 */
export async function run(): Promise<Table[]> {
  const local = endpointsFromEnv();
  const seeded = await seedStage(local.secretsEndpoint, 'local', 'RS256');
  const signer = createSigner({ key: await importSigningKey(seeded.record), issuer: 'roomgate', audience: 'roomgate-socket' });
  const common = {
    ROOMGATE_TABLE_NAME: local.tableName,
    // Bans, revocations and single-use claims: the access table local-aws-server.ts created beside it.
    ROOMGATE_ACCESS_TABLE_NAME: local.accessTableName,
    // A room of fanOutShardThreshold members or more is sharded: its status goes to the publishes table (local-aws-server.ts).
    ROOMGATE_PUBLISHES_TABLE_NAME: local.publishesTableName,
    ROOMGATE_DYNAMODB_ENDPOINT: local.dynamoEndpoint,
    ROOMGATE_SECRETS_ENDPOINT: local.secretsEndpoint,
  };

  process.stderr.write('  history: starting two serverless-offline (history on, history off)\n');
  const sides: Side[] = [];
  const unregister = registerCleanup(() => Promise.all(sides.map((s) => s.offline.stop())).then(() => undefined));
  const rows: Row[] = [];
  try {
    // One after the other: both builds at once double the esbuild peak on a small machine.
    sides.push({
      name: 'on',
      offline: await startOffline({ ...common, ...buildDir('on'), ROOMGATE_HISTORY_TABLE_NAME: local.historyTableName }),
      room: new Room(),
    });
    sides.push({ name: 'off', offline: await startOffline({ ...common, ...buildDir('off'), ROOMGATE_HISTORY_TTL_SECONDS: '0' }), room: new Room() });
    const tokens = new Map<Side, string>();
    for (const side of sides) {
      const roomId = `bench-history-${side.name}-${Date.now()}`;
      tokens.set(side, (await signer.sign({ roomId, userId: 'bench-user', ttlSeconds: 3600 })).token);
    }

    for (const size of SIZES) {
      const times = new Map<Side, number[]>(sides.map((s) => [s, []]));
      for (const side of sides) {
        process.stderr.write(`  history ${side.name}: room of ${size}\n`);
        const token = tokens.get(side)!;
        if (side.room.members.length === 0) side.room.add(await join(side.offline.wsUrl, token));
        const missing = Array.from({ length: size - side.room.members.length }, (_, i) => i);
        await pool(missing, JOIN_CONCURRENCY, async () => side.room.add(await join(side.offline.wsUrl, token)));
      }
      // One unmeasured publish each: the first history write of a room reads the room's last item.
      // Small rooms are quick and noisier relative to their time: more rounds.
      const rounds = size >= 1000 ? 4 : size >= 100 ? 7 : 15;
      for (let round = -1; round < rounds; round += 1) {
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          const marker = `history-${side.name}-${size}-${round}`;
          const arrived = side.room.arrival(marker);
          const start = performance.now();
          side.room.members[0]!.ws.send(JSON.stringify({ action: 'publish', data: { text: 'hello, room', marker } }));
          await arrived;
          if (round >= 0) times.get(side)!.push(performance.now() - start);
        }
      }
      const on = median(times.get(sides[0]!)!);
      const off = median(times.get(sides[1]!)!);
      const ratio = on / off;
      rows.push(
        { case: `room of ${size}: publish → last member, history off`, result: fmtMs(off), note: 'baseline' },
        {
          case: `room of ${size}: publish → last member, history on`,
          result: fmtMs(on),
          baseline: 'history off',
          ratio,
          target: `≤ ${TARGET}`,
          met: asPrinted(ratio) <= TARGET,
        },
      );
    }
  } catch (error) {
    for (const side of sides) process.stderr.write(`serverless-offline (history ${side.name}) output (tail):\n${side.offline.logs().slice(-2000)}\n`);
    throw error;
  } finally {
    unregister();
    for (const side of sides) for (const member of side.room.members) member.ws.terminate();
    await Promise.all(sides.map((s) => s.offline.stop()));
    for (const name of ['on', 'off']) rmSync(joinPath(SOCKET_DIR, buildDir(name).ROOMGATE_ESBUILD_DIR), { recursive: true, force: true });
  }
  return [
    {
      title: '5. History (serverless-offline, real ws clients, history on vs off, rooms of 10 → 100 → 1,000)',
      rows,
      notes: [
        'on = HISTORY_TTL_SECONDS 600 (default): $default appends the frame to the history table (one conditional PutItem, the seq guessed from the container cache) before the same fan-out as off',
        'off = HISTORY_TTL_SECONDS 0: no history write, frames carry no seq/epoch',
        'two services on one dynalite, a room each; rounds alternate between them; median of 15 rounds (7 for 100, 4 for 1,000), after one unmeasured publish per room',
      ],
    },
  ];
}
