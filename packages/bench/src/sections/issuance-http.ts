import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { endpointsFromEnv, seedStage, type SeededStage } from '../lib/local-stack.ts';
import { BENCH_DIR, TOKEN_API_DIR, TSX } from '../lib/paths.ts';
import { freePort, groupCpuSeconds, startService, type Service } from '../lib/processes.ts';
import { median } from '../lib/measure.ts';
import { asPrinted, CEILING_FRACTION, fmtRate, targetAgainstCeiling, type Row, type Table } from '../lib/report.ts';

const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 4);
const RAW_MS = 1_500;
const TARGET_BOTH_CORES = 0.9;
const TARGET_VS_BARE = 0.5;

/** node:crypto signing in `threads` worker threads at once: tokens/s across all of them. */
async function rawSigning(seeded: SeededStage, data: string, threads: number): Promise<Measured> {
  const script = join(BENCH_DIR, 'src', 'workers', 'raw-sign.mjs');
  // The main thread only waits meanwhile, so the process's CPU time is the workers' (plus setup).
  const cpu = process.cpuUsage();
  const results = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(script, { workerData: { pem: seeded.record.private_key, alg: seeded.record.alg, data, ms: RAW_MS } });
      return new Promise<{ ops: number; seconds: number }>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    }),
  );
  const used = process.cpuUsage(cpu);
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  return { rate: results.reduce((sum, r) => sum + r.ops / r.seconds, 0), perCpuSecond: ops / ((used.user + used.system) / 1e6) };
}

interface Measured {
  /** per wall-clock second */
  rate: number;
  /** per CPU-second of the signing threads, or of the server's processes */
  perCpuSecond: number;
}

async function drive(service: Service, seeded: SeededStage | undefined, connections: number): Promise<Result & { serverCpu: number }> {
  const url = service.url;
  const cpuBefore = groupCpuSeconds(service.child.pid!);
  const result = await autocannon({
    url: `${url}/v1/tokens`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(seeded && { 'x-api-key': seeded.apiKey }) },
    body: JSON.stringify({ roomId: 'chat-lobby-42', userId: 'user-12345' }),
    connections,
    duration: DURATION_S,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { ...result, serverCpu: groupCpuSeconds(service.child.pid!) - cpuBefore };
}

const rps = (r: Result) => r['2xx'] / r.duration;
const latency = (r: Result) => `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`;

/**
 * 2. Token issuance over HTTP: apps/token-api/src/token/server.ts (unchanged, API-key caller, keys from
 * the local Secrets Manager, LOG_LEVEL=info to /dev/null) on loopback, driven by autocannon from
 * this process. "Both cores": server.ts in 2 node:cluster workers vs raw signing in 2 threads.
 * Every server starts first; then ROUNDS rounds run each case in turn, and each case keeps its
 * median round, so load from elsewhere on the box lands on all cases alike.
 */
export async function run(): Promise<Table[]> {
  const { secretsEndpoint } = endpointsFromEnv();
  const server = join(TOKEN_API_DIR, 'src', 'token', 'server.ts');
  const seeded = {} as Record<SigningAlgorithm, SeededStage>;
  for (const alg of ALGORITHMS) seeded[alg] = await seedStage(secretsEndpoint, `bench-http-${alg.toLowerCase()}`, alg);

  const serve = async (alg: SigningAlgorithm, workers: number) => {
    const script = workers === 1 ? server : join(BENCH_DIR, 'src', 'servers', 'cluster.ts');
    return startService([TSX, script], { ...seeded[alg].tokenApiEnv, BENCH_WORKERS: String(workers), LOG_LEVEL: 'info' }, await freePort());
  };

  const rs1 = await serve('RS256', 1);
  const services = [rs1];
  try {
    // One real response sizes the bare route's body and gives the raw signers the same input.
    const sample = await fetch(`${rs1.url}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': seeded.RS256.apiKey },
      body: JSON.stringify({ roomId: 'chat-lobby-42', userId: 'user-12345' }),
    });
    const sampleBody = await sample.text();
    if (sample.status !== 201) throw new Error(`token API answered ${sample.status}: ${sampleBody}`);
    const token = (JSON.parse(sampleBody) as { token: string }).token;
    const signingInput = token.slice(0, token.lastIndexOf('.'));

    const rs2 = await serve('RS256', 2);
    const es = await serve('ES256', 1);
    const ed = await serve('EdDSA', 1);
    const bareService = await startService(
      [TSX, join(BENCH_DIR, 'src', 'servers', 'bare-server.ts')],
      { BENCH_BODY_BYTES: String(Buffer.byteLength(sampleBody)) },
      await freePort(),
    );
    services.push(rs2, es, ed, bareService);

    type Run = Result & { serverCpu: number };
    const http = { rs1: [] as Run[], rs2: [] as Run[], bare: [] as Run[], es: [] as Run[], ed: [] as Run[] };
    const raw = { rs1: [] as Measured[], rs2: [] as Measured[], es: [] as Measured[], ed: [] as Measured[] };
    for (let round = 1; round <= ROUNDS; round += 1) {
      process.stderr.write(`  http: round ${round}/${ROUNDS}\n`);
      raw.rs1.push(await rawSigning(seeded.RS256, signingInput, 1));
      http.rs1.push(await drive(rs1, seeded.RS256, 10));
      raw.rs2.push(await rawSigning(seeded.RS256, signingInput, 2));
      http.rs2.push(await drive(rs2, seeded.RS256, 20));
      http.bare.push(await drive(bareService, undefined, 10));
      http.es.push(await drive(es, seeded.ES256, 10));
      raw.es.push(await rawSigning(seeded.ES256, signingInput, 1));
      http.ed.push(await drive(ed, seeded.EdDSA, 10));
      raw.ed.push(await rawSigning(seeded.EdDSA, signingInput, 1));
    }
    const m = Object.fromEntries(Object.entries(http).map(([k, runs]) => [k, medianRun(runs)])) as Record<keyof typeof http, Run>;
    const r = Object.fromEntries(Object.entries(raw).map(([k, rates]) => [k, median(rates.map((x) => x.rate))])) as Record<keyof typeof raw, number>;
    // Ratios are taken within a round (the two cases ran seconds apart), then the median round.
    const ratio = (runs: Run[], base: (i: number) => number) => median(runs.map((run, i) => rps(run) / base(i)));
    // Efficiency: tokens per CPU-second of the server's processes vs of the raw signing threads.
    const cpuRatio = (runs: Run[], base: Measured[]) => median(runs.map((run, i) => perServerCpu(run) / (base[i] as Measured).perCpuSecond));
    const bare = rps(m.bare);
    const both = ratio(http.rs2, (i) => (raw.rs2[i] as Measured).rate);
    const cpuNote = (runs: Run[], base: Measured[]) =>
      `; per server CPU-s ${fmtRate(median(runs.map(perServerCpu)))} = ${cpuRatio(runs, base).toFixed(2)} of raw per CPU-s; servers busy ${median(runs.map((run) => run.serverCpu / run.duration)).toFixed(2)} cores`;
    const rows: Row[] = [
      { case: 'raw RS256 sign, 1 thread', result: `${fmtRate(r.rs1)}; per CPU-s ${fmtRate(median(raw.rs1.map((x) => x.perCpuSecond)))}`, note: 'baseline' },
      {
        case: 'raw RS256 sign, 2 worker threads',
        result: `${fmtRate(r.rs2)}; per CPU-s ${fmtRate(median(raw.rs2.map((x) => x.perCpuSecond)))}`,
        note: 'baseline',
      },
      {
        case: 'RS256 server.ts, 1 process',
        result: `${fmtRate(rps(m.rs1))}, ${latency(m.rs1)}${cpuNote(http.rs1, raw.rs1)}`,
        baseline: 'raw, 1 thread',
        ratio: ratio(http.rs1, (i) => (raw.rs1[i] as Measured).rate),
      },
      {
        case: 'RS256 server.ts, 2 processes (cluster)',
        result: `${fmtRate(rps(m.rs2))}, ${latency(m.rs2)}${cpuNote(http.rs2, raw.rs2)}`,
        baseline: 'raw, 2 threads',
        ratio: both,
        target: `≥ ${TARGET_BOTH_CORES}`,
        met: asPrinted(both) >= TARGET_BOTH_CORES,
      },
      {
        case: 'bare Fastify route (same-size JSON), 1 process',
        result: `${fmtRate(bare)}, ${latency(m.bare)}; per server CPU-s ${fmtRate(median(http.bare.map(perServerCpu)))}`,
        note: 'baseline',
      },
    ];
    for (const [alg, key] of [
      ['ES256', 'es'],
      ['EdDSA', 'ed'],
    ] as const) {
      const vsBare = ratio(http[key], (i) => rps(http.bare[i] as Run));
      // 1 / (1 + bare rate × signature time): the ratio if one signature were the only extra work.
      const ceiling = 1 / (1 + bare / r[key]);
      const cpuVsBare = median(http[key].map((run, i) => perServerCpu(run) / perServerCpu(http.bare[i] as Run)));
      rows.push({
        case: `${alg} server.ts, 1 process`,
        result: `${fmtRate(rps(m[key]))}, ${latency(m[key])}; raw sign ${fmtRate(r[key])}; per server CPU-s ${cpuVsBare.toFixed(2)} of bare`,
        baseline: 'bare Fastify',
        ratio: vsBare,
        ...targetAgainstCeiling(vsBare, TARGET_VS_BARE, ceiling),
      });
    }
    return [
      {
        title: `2. Token issuance over HTTP (autocannon, ${ROUNDS} rounds × ${DURATION_S} s per case, loopback)`,
        rows,
        notes: [
          'server.ts unchanged: API-key caller (x-api-key), keys from the local Secrets Manager (cached), LOG_LEVEL=info, stdout to /dev/null',
          '1 process: 10 connections; 2 processes: node:cluster, 2 workers each running server.ts, 20 connections; autocannon runs in the bench process on the same 2 cores',
          'raw, 2 threads = node:crypto RS256 signing in 2 worker threads at once, no HTTP; rates are the median round, ratios the median of per-round ratios (each pair ran back to back)',
          `ceiling for ES256 vs bare: 1 / (1 + bare rate × raw sign time) = ${(1 / (1 + bare / r.es)).toFixed(2)}, EdDSA ${(1 / (1 + bare / r.ed)).toFixed(2)}: the signature alone, with zero other overhead; the target is ≥ ${TARGET_VS_BARE} of bare, or ${CEILING_FRACTION} of that ceiling where it is below ${(TARGET_VS_BARE / CEILING_FRACTION).toFixed(2)}`,
          'per CPU-s columns: tokens per CPU-second of the server processes (their whole process group, from /proc) against raw signing per CPU-second: the efficiency of our code, which load from other jobs on the box does not move much',
        ],
      },
    ];
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}

function medianRun<T extends Result>(results: T[]): T {
  return [...results].sort((a, b) => rps(a) - rps(b))[results.length >> 1] as T;
}

const perServerCpu = (run: Result & { serverCpu: number }) => run['2xx'] / run.serverCpu;
