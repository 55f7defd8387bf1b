import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { localClientConfig, parseCloudFormationYaml } from '@roomgate/local-aws';
import { createConnectionStore } from '@roomgate/shared/store';
import { importSigningKey, createSigner } from '@roomgate/shared/tokens';
import { httpApiEvent } from '@roomgate/token-api/testing/http-api-event';
import { BENCH_ROLE_SESSION, endpointsFromEnv, seedStage } from '../lib/local-stack.ts';
import { median } from '../lib/measure.ts';
import { BENCH_DIR, OUT_DIR, SOCKET_DIR, TOKEN_API_DIR } from '../lib/paths.ts';
import { asPrinted, fmtKb, fmtMs, type Row, type Table } from '../lib/report.ts';
import { createDynamoDbClient } from '@roomgate/shared/runtime';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
/** Issue 19: the token API service's bundles ≤ 600 KB with the SDK external; the socket's ≤ 60 KB. */
const SIZE_TARGET = { 'token-api': 600 * 1024, socket: 60 * 1024 } as const;
/**
 * Cold-start targets, as a ratio to the same-shape SDK-only bundle's CPU time. The token API
 * service (issue 19) is held to its *first response* (process start → first handler result, ≤ 1.5×):
 * that is what a caller waits for, and it includes the first request through Fastify. The socket
 * functions keep issue 6's target on *load* (import incl. top-level init, ≤ 1.15×).
 */
const LOAD_TARGET = { 'token-api': 1.5, socket: 1.15 } as const;
const RATIO_OF = { 'token-api': 'first response', socket: 'load' } as const;

type Service = keyof typeof SIZE_TARGET;
type Sdk = 'external' | 'bundled';

interface Fn {
  service: Service;
  name: string;
  entry: string;
  baseline: string;
  /**
   * The token API service's functions: the baseline served by a bare Fastify app through
   * @fastify/aws-lambda (fixed requirements), printed as the floor any Fastify function of that
   * shape starts from.
   */
  floor?: string;
  /**
   * The floor plus what no function of this service can leave out: issue 18's logger and metrics
   * and, for the token function, the key import and one signature; what it adds is `requiredWork`.
   */
  required?: string;
  requiredWork?: string;
  /** The event of run `n`; `$connect` refuses a connection id it has seen (409), so each run gets its own. */
  event: (n: number) => unknown;
}

interface Variant {
  fn: Fn;
  kind: 'ours' | 'baseline' | 'floor' | 'required';
  sdk: Sdk;
  file: string;
  /** All output files (entry and chunks), minified unless BENCH_COLD_MINIFY=0. */
  bytes: number;
  /** The entry file alone: what every cold start parses. */
  entryBytes: number;
  /** Chunk files beside the entry (esbuild splitting), read only when first imported. */
  chunks: number;
  metafile: Metafile;
  runs: ColdRun[];
}

/** serverless-esbuild's settings from the service's serverless.yml, as esbuild options. */
function esbuildOptions(serviceDir: string, sdk: Sdk): BuildOptions {
  const yml = parseCloudFormationYaml(readFileSync(join(serviceDir, 'serverless.yml'), 'utf8')) as { custom: { esbuild: Record<string, unknown> } };
  const e = yml.custom.esbuild;
  const format = e.format as BuildOptions['format'];
  return {
    bundle: e.bundle !== false,
    // BENCH_COLD_MINIFY=0: readable bundles, so a CPU profile (BENCH_COLD_CPU_PROF) names each module.
    minify: e.minify === true && process.env.BENCH_COLD_MINIFY !== '0',
    keepNames: e.keepNames === true,
    target: e.target as string,
    platform: e.platform as BuildOptions['platform'],
    format,
    ...(e.mainFields !== undefined && { mainFields: e.mainFields as string[] }),
    ...(e.banner !== undefined && { banner: e.banner as Record<string, string> }),
    outExtension: { '.js': (e.outputFileExtension as string | undefined) ?? (format === 'esm' ? '.mjs' : '.cjs') },
    // "External" means what the Lambda runtime provides, whatever the service's serverless.yml
    // chose (both services bundle their SDK since this comparison: docs/benchmarks.md).
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    // The service's own esbuild plugins (serverless-esbuild `plugins`: a file of plugins), so the
    // bench bundles what `sls package` bundles (the token API's build-time schema code).
    ...(typeof e.plugins === 'string' && { plugins: createRequire(import.meta.url)(join(serviceDir, e.plugins)) as Plugin[] }),
    // The service's `splitting` (ES-module bundles only: what only a dynamic `import()` reaches goes
    // to chunk files, read on first use); BENCH_COLD_SPLIT=0 or 1 overrides it for a comparison.
    ...(format === 'esm' && (process.env.BENCH_COLD_SPLIT ?? (e.splitting === true ? '1' : '0')) === '1' && { splitting: true }),
    metafile: true,
    logLevel: 'error',
  };
}

/** How far our first response's CPU is from the floor's: below it only within the run's spread. */
const aboveFloor = (ms: number): string => (ms >= 0 ? `${fmtMs(ms)} CPU above it` : `${fmtMs(-ms)} CPU below it (within the spread)`);

/** A variant's size: all it ships, and with chunks what its entry alone weighs (parsed at every cold start). */
const sizeOf = (v: Variant): string => (v.chunks > 0 ? `${fmtKb(v.bytes)} (entry ${fmtKb(v.entryBytes)} + ${v.chunks} chunks)` : fmtKb(v.bytes));

/** Biggest inputs of a bundle, grouped by package (or workspace folder). */
function contributors(metafile: Metafile, count = 3): string {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(-3, -1).join('/');
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + input.bytesInOutput);
    }
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([pkg, bytes]) => `${pkg} ${fmtKb(bytes)}`)
    .join(', ');
}

interface ColdRun {
  ready: number;
  readyCpu: number;
  load: number;
  loadCpu: number;
  total: number;
  totalCpu: number;
  status?: number;
}

let profiles = 0;

function coldStart(file: string, eventFile: string, env: Record<string, string>): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    // BENCH_COLD_CPU_PROF=<dir>: each cold start also writes a V8 CPU profile there (where the time goes).
    const profDir = process.env.BENCH_COLD_CPU_PROF;
    const prof = profDir
      ? [
          '--cpu-prof',
          '--cpu-prof-interval',
          process.env.BENCH_COLD_CPU_PROF_INTERVAL ?? '1000',
          '--cpu-prof-dir',
          profDir,
          '--cpu-prof-name',
          `${file.split('/').slice(-2).join('.')}.${(profiles += 1)}.cpuprofile`,
        ]
      : [];
    const child = spawn(process.execPath, [...prof, join(BENCH_DIR, 'src', 'cold', 'harness.mjs'), file, eventFile], {
      env: { PATH: process.env.PATH ?? '', ...env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
      // BENCH_COLD_VERBOSE=1: the function's own log lines (stdout) on the bench's output, to see why a cold start failed.
      stdio: ['ignore', process.env.BENCH_COLD_VERBOSE ? 'inherit' : 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('COLD '));
      if (code !== 0 || !line) return reject(new Error(`cold start of ${file} failed (${code}):\n${stderr}`));
      resolve(JSON.parse(line.slice(5)) as ColdRun);
    });
  });
}

/**
 * 5. Cold start: each Lambda bundle built with its serverless.yml esbuild settings, SDK external
 * (resolved from node_modules, as the runtime resolves its own copy) and bundled; beside each, a
 * bundle of the same handler shape that only constructs the SDK clients it needs and makes the
 * same first AWS calls. Every run is a fresh `node` against the local endpoints.
 */
export async function run(): Promise<Table[]> {
  const local = endpointsFromEnv();
  const stage = 'bench-cold';
  const seeded = await seedStage(local.secretsEndpoint, stage, 'RS256');
  const dir = join(OUT_DIR, 'cold');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const { token } = await createSigner({ key: await importSigningKey(seeded.record), issuer: 'roomgate', audience: 'roomgate-socket' }).sign({
    roomId: 'chat-lobby-42',
    ttlSeconds: 3600,
  });
  const store = createConnectionStore({ client: createDynamoDbClient(localClientConfig(local.dynamoEndpoint)), tableName: local.tableName });
  await store.put({ connectionId: 'cold-default', roomId: 'chat-lobby-42', capabilities: ['subscribe', 'publish'], tokenExpiresAt: 4_000_000_000 });

  const baselines = join(BENCH_DIR, 'src', 'cold', 'baselines');
  const socketEvent = (connectionId: string, extra: object = {}) => ({ requestContext: { connectionId, routeKey: '$x' }, ...extra });
  const fns: Fn[] = [
    {
      service: 'token-api',
      name: 'token-api',
      entry: join(TOKEN_API_DIR, 'src', 'token', 'lambda.ts'),
      baseline: join(baselines, 'token-api.ts'),
      floor: join(baselines, 'token-api-fastify-floor.ts'),
      required: join(baselines, 'token-api-required-floor.ts'),
      requiredWork: 'Powertools logger and metrics (issue 18), the JWKS and signing key imported and checked, one signature',
      event: () =>
        httpApiEvent({
          method: 'POST',
          path: '/v1/tokens',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ roomId: 'chat-lobby-42', userId: 'user-12345' }),
          iam: { userArn: BENCH_ROLE_SESSION },
        }),
    },
    {
      service: 'token-api',
      name: 'rooms',
      entry: join(TOKEN_API_DIR, 'src', 'rooms', 'lambda.ts'),
      baseline: join(baselines, 'rooms.ts'),
      floor: join(baselines, 'rooms-fastify-floor.ts'),
      required: join(baselines, 'rooms-required-floor.ts'),
      requiredWork: 'Powertools logger and metrics (issue 18)',
      event: () => httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-lobby-42/connections', iam: { userArn: BENCH_ROLE_SESSION } }),
    },
    {
      service: 'socket',
      name: 'connect',
      entry: join(SOCKET_DIR, 'src', 'lambda', 'connect.ts'),
      baseline: join(baselines, 'connect.ts'),
      event: (n) =>
        socketEvent(`cold-connect-${n}`, {
          headers: { 'Sec-WebSocket-Protocol': `roomgate.v1, roomgate.token.${token}` },
          multiValueHeaders: { 'Sec-WebSocket-Protocol': ['roomgate.v1', `roomgate.token.${token}`] },
        }),
    },
    {
      service: 'socket',
      name: 'disconnect',
      entry: join(SOCKET_DIR, 'src', 'lambda', 'disconnect.ts'),
      baseline: join(baselines, 'disconnect.ts'),
      event: () => socketEvent('cold-gone'),
    },
    {
      service: 'socket',
      name: 'default',
      entry: join(SOCKET_DIR, 'src', 'lambda', 'default.ts'),
      baseline: join(baselines, 'default.ts'),
      event: () => socketEvent('cold-default', { body: '{"action":"ping","id":1}', isBase64Encoded: false }),
    },
  ];

  const aws = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', LOG_LEVEL: 'info' };
  // Bans and revocations: `$connect` and the Rooms function read the access table (local-aws-server.ts creates it).
  const rooms = {
    ACCESS_TABLE_NAME: local.accessTableName,
    CONNECTIONS_TABLE_NAME: local.tableName,
    ROOMS_TABLE_NAME: 'roomgate-bench-rooms',
    HISTORY_TABLE_NAME: local.historyTableName,
    MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
    DYNAMODB_ENDPOINT: local.dynamoEndpoint,
  };
  const envs: Record<Service, Record<string, string>> = {
    'token-api': { ...seeded.tokenApiEnv, ...aws },
    socket: {
      ...aws,
      TABLE_NAME: local.tableName,
      HISTORY_TABLE_NAME: local.historyTableName,
      ACCESS_TABLE_NAME: local.accessTableName,
      PUBLIC_KEYS_SECRET_ID: `roomgate/${stage}/public-keys`,
      MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
      TOKEN_ISSUER: 'roomgate',
      TOKEN_AUDIENCE: 'roomgate-socket',
      DYNAMODB_ENDPOINT: local.dynamoEndpoint,
      SECRETS_ENDPOINT: local.secretsEndpoint,
      STAGE: stage,
    },
  };

  process.stderr.write('  cold start: building bundles\n');
  const variants: Variant[] = [];
  for (const fn of fns) {
    for (const sdk of ['external', 'bundled'] as const) {
      const serviceDir = fn.service === 'token-api' ? TOKEN_API_DIR : SOCKET_DIR;
      const options = esbuildOptions(serviceDir, sdk);
      const kinds: Variant['kind'][] = ['ours', 'baseline', ...(fn.floor ? (['floor'] as const) : []), ...(fn.required ? (['required'] as const) : [])];
      for (const kind of kinds) {
        const outdir = join(dir, `${kind}-${sdk}-${fn.service}`);
        // The runtime's own SDK, as Lambda provides it: a node_modules/@aws-sdk next to (above) the
        // bundle, here the service's installed copies, so the bundle's bare imports resolve there.
        if (sdk === 'external' && !existsSync(join(outdir, 'node_modules'))) {
          mkdirSync(join(outdir, 'node_modules'), { recursive: true });
          symlinkSync(join(serviceDir, 'node_modules', '@aws-sdk'), join(outdir, 'node_modules', '@aws-sdk'));
        }
        const entry = { ours: fn.entry, baseline: fn.baseline, floor: fn.floor, required: fn.required }[kind]!;
        const result = await build({ ...options, entryPoints: { [fn.name]: entry }, outdir });
        // The entry's own output (named after the function); with splitting there are chunks beside it.
        const file = Object.keys(result.metafile!.outputs).find(
          (f) => /^[^.]+\.[cm]?js$/.test(f.split('/').pop()!) && f.split('/').pop()!.startsWith(`${fn.name}.`),
        )!;
        const abs = join(process.cwd(), file);
        // Every file the function ships: the entry and, with splitting, its chunks.
        const bytes = Object.values(result.metafile!.outputs).reduce((sum, output) => sum + output.bytes, 0);
        const chunks = Object.keys(result.metafile!.outputs).length - 1;
        variants.push({ fn, kind, sdk, file: abs, bytes, entryBytes: statSync(abs).size, chunks, metafile: result.metafile!, runs: [] });
      }
    }
  }

  process.stderr.write(`  cold start: ${RUNS} rounds of ${variants.length} fresh processes\n`);
  const bare: ColdRun[] = [];
  let n = 0;
  for (let round = 0; round < RUNS; round += 1) {
    bare.push(await coldStart('none', '', {}));
    for (const v of variants) {
      const eventFile = join(dir, `${v.fn.name}.event.json`);
      writeFileSync(eventFile, JSON.stringify(v.fn.event((n += 1))));
      const r = await coldStart(v.file, eventFile, v.fn.name === 'rooms' ? { ...envs['token-api'], ...rooms } : envs[v.fn.service]);
      if (r.status === undefined || r.status >= 300) throw new Error(`${v.fn.name} (${v.kind}, SDK ${v.sdk}) answered ${r.status}`);
      v.runs.push(r);
    }
  }

  const find = (fn: Fn, kind: Variant['kind'], sdk: Sdk) => variants.find((v) => v.fn === fn && v.kind === kind && v.sdk === sdk)!;
  const load = (v: Variant) => median(v.runs.map((r) => r.load));
  const loadCpu = (v: Variant) => median(v.runs.map((r) => r.loadCpu));
  const total = (v: Variant) => median(v.runs.map((r) => r.total));
  const totalCpu = (v: Variant) => median(v.runs.map((r) => r.totalCpu));
  const rows: Row[] = [];
  const picks: string[] = [];
  for (const fn of fns) {
    for (const sdk of ['external', 'bundled'] as const) {
      const ours = find(fn, 'ours', sdk);
      const base = find(fn, 'baseline', sdk);
      const sizeTarget = SIZE_TARGET[fn.service];
      rows.push({
        case: `${fn.name}, SDK ${sdk}: size (minified)`,
        result: `${sizeOf(ours)} (baseline ${sizeOf(base)}); top: ${contributors(ours.metafile)}`,
        ...(sdk === 'external' && { target: `≤ ${fmtKb(sizeTarget)}`, met: ours.bytes <= sizeTarget }),
      });
      const ratio = RATIO_OF[fn.service] === 'load' ? loadCpu(ours) / loadCpu(base) : totalCpu(ours) / totalCpu(base);
      rows.push({
        case: `${fn.name}, SDK ${sdk}: load; start → 1st response`,
        result: `load ${fmtMs(load(ours))} (CPU ${fmtMs(loadCpu(ours))}); 1st response at ${fmtMs(total(ours))} (CPU ${fmtMs(totalCpu(ours))}) · baseline ${fmtMs(load(base))} (CPU ${fmtMs(loadCpu(base))}); ${fmtMs(total(base))} (CPU ${fmtMs(totalCpu(base))})`,
        baseline: `same-shape bundle (${RATIO_OF[fn.service]} CPU)`,
        ratio,
        target: `≤ ${LOAD_TARGET[fn.service]}×`,
        met: asPrinted(ratio) <= LOAD_TARGET[fn.service],
      });
      if (fn.floor) {
        const floor = find(fn, 'floor', sdk);
        rows.push({
          case: `${fn.name}, SDK ${sdk}: Fastify floor, start → 1st response`,
          result: `bare Fastify + @fastify/aws-lambda around the baseline's handler: 1st response at ${fmtMs(total(floor))} (CPU ${fmtMs(totalCpu(floor))}), ${sizeOf(floor)}; ours is ${aboveFloor(totalCpu(ours) - totalCpu(floor))}`,
          baseline: 'same-shape bundle (first response CPU)',
          ratio: totalCpu(floor) / totalCpu(base),
        });
      }
      if (fn.required) {
        const required = find(fn, 'required', sdk);
        rows.push({
          case: `${fn.name}, SDK ${sdk}: required floor, start → 1st response`,
          result: `the Fastify floor + ${fn.requiredWork}: 1st response at ${fmtMs(total(required))} (CPU ${fmtMs(totalCpu(required))}); ours is ${aboveFloor(totalCpu(ours) - totalCpu(required))}`,
          baseline: 'same-shape bundle (first response CPU)',
          ratio: totalCpu(required) / totalCpu(base),
        });
      }
    }
    const ext = find(fn, 'ours', 'external');
    const bun = find(fn, 'ours', 'bundled');
    picks.push(
      `${fn.name}: start → first response ${fmtMs(total(ext))} (CPU ${fmtMs(totalCpu(ext))}) SDK external vs ${fmtMs(total(bun))} (CPU ${fmtMs(totalCpu(bun))}) bundled → ${totalCpu(bun) < totalCpu(ext) ? 'bundled' : 'external'} uses less`,
    );
  }
  return [
    {
      title: `5. Cold start (fresh node per run, median of ${RUNS}; bare node reaches user code in ${fmtMs(median(bare.map((b) => b.ready)))}, CPU ${fmtMs(median(bare.map((b) => b.readyCpu)))})`,
      rows,
      notes: [
        'load = import/require of the bundle incl. top-level init (token-api, rooms: buildApp + app.ready()), i.e. module load time above bare node; start → 1st response = from process start (performance.timeOrigin) to the first handler result, against the local endpoints',
        'baseline = same handler shape and format, constructs only the SDK clients it needs and makes the same first AWS calls (src/cold/baselines); ratio = CPU time (user+system) ours / baseline: start → 1st response for token-api and rooms (issue 19), load for the socket functions (issue 6); wall time beside it, the box is shared',
        'SDK external = @aws-sdk/* resolved from node_modules at run time, as the Lambda runtime resolves its bundled SDK',
        'Fastify floor = the baseline handler behind a bare Fastify app and @fastify/aws-lambda (both required): no schemas, auth, logger, metrics or signing; the share of the 1.5× budget that Fastify itself takes',
        'required floor = the Fastify floor plus what no such function can leave out (src/cold/baselines/*-required-floor.ts); what ours does beyond it is authentication, validation, error mapping, its routes and config',
        ...picks,
      ],
    },
  ];
}
