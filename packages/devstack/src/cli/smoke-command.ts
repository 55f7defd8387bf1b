import type { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { freePorts } from '@roomgate/local-aws';
import { isValidRoomId, isValidUserId, ROOM_ID_CHARSET, ROOM_ID_MAX_LENGTH, USER_ID_CHARSET, USER_ID_MAX_LENGTH } from '@roomgate/protocol/ids';
import { createCloudFormationClient } from '@roomgate/shared/runtime';
import { UsageError } from '../errors.ts';
import { DEV_HOST, DevStack } from '../dev/dev-stack.ts';
import { isNotable } from '../dev/log-lines.ts';
import { PORT_PARTS, portLayout, type Ports } from '../dev/ports.ts';
import { apiKeyAuth, sigV4Auth, type SigningCredentials } from '../smoke/caller-auth.ts';
import { runSmoke, SMOKE_STEPS, type SmokeTarget } from '../smoke/smoke-run.ts';
import { resolveStageEndpoints } from '../smoke/stage-endpoints.ts';
import { assertStage } from '../stage.ts';
import { loadStage } from '../stage-settings.ts';
import { isKnownCliError, parseCommandLine } from './cli-io.ts';

/** Exit codes besides the steps' (SMOKE_STEPS): stable, scripts switch on them. */
export const SMOKE_EXIT = { ok: 0, unexpected: 1, usage: 2, setup: 3 } as const;

export const SMOKE_HELP = [
  'Usage: pnpm smoke --stage <s> [--api-key <key>] [--room <id>] [--user <id>]',
  '       pnpm smoke --local [--port-base <n>]',
  '       pnpm smoke --local --attach [--port-base <n> | --token-api-port <p>] --api-key <key>',
  '',
  'Proves a stage works end to end, the way a backend and a browser use it, and prints each step',
  'with its time in ms:',
  ...SMOKE_STEPS.map((s) => `  ${s.name.padEnd(8)} ${s.does}`),
  '',
  'Targets:',
  '  --stage <s>          a deployed stage: endpoints from the stacks roomgate-socket-<s> and',
  '                       roomgate-token-api-<s> (CloudFormation DescribeStacks) in the region of',
  '                       stages/<s>.yml; callers per its callerAuth: iam signs with SigV4 and the',
  '                       default AWS credentials (the role must be in iamCallers with a pattern',
  '                       covering the room, e.g. "smoke-*"); api-key needs --api-key or',
  '                       ROOMGATE_API_KEY',
  '  --local              starts its own local stack (like pnpm dev, in memory) on free ports,',
  '                       runs the steps with its dev API key, and stops it again',
  "  --port-base <n>      --local: put that stack on pnpm dev's port layout at <n> instead",
  '  --attach             --local: start nothing; use a running pnpm dev (its token API at',
  '                       127.0.0.1:<port base, default 4100> or --token-api-port) and --api-key',
  '',
  'Options:',
  '  --api-key <key>      API key to call with (api-key stages, --attach); env ROOMGATE_API_KEY',
  '  --room <id>          room to use (default smoke-<random>)',
  '  --user <id>          user to connect and kick (default smoke-<random>)',
  '  --timeout <ms>       time limit per step (default 10000)',
  '  -h, --help           this help',
  '',
  'Exit codes:',
  '  0   every step passed',
  '  1   unexpected error',
  '  2   usage error',
  '  3   setup failed before the first step: invalid stage settings, stack or output missing,',
  '      AWS unreachable or no credentials, the local stack did not start',
  ...SMOKE_STEPS.map((s) => `  ${s.exitCode}  step ${s.name} failed`),
].join('\n');

/** What `pnpm smoke` touches outside itself; tests pass their own. */
export interface SmokeCliIo {
  env: Record<string, string | undefined>;
  repoRoot: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** subscribes to SIGINT/SIGTERM: --local stops its stack before exiting */
  onSignal?: (handler: (signal: string) => void) => void;
  /** injected by tests (a fake CloudFormation endpoint); the default builds the real client */
  createCloudFormationClient?: (config: CloudFormationClientConfig) => CloudFormationClient;
  /** injected by tests; the default is the SDK's default credential chain */
  credentials?: SigningCredentials;
}

interface SmokeArgs {
  stage?: string;
  local: boolean;
  attach: boolean;
  portBase?: number;
  tokenApiPort?: number;
  apiKey?: string;
  roomId?: string;
  userId?: string;
  timeoutMs?: number;
}

/** Parses the command line; throws UsageError naming what is wrong. Undefined for --help. */
export function parseSmokeArgs(argv: string[], env: Record<string, string | undefined>): SmokeArgs | undefined {
  const { values } = parseCommandLine(argv, {
    stage: { type: 'string' },
    local: { type: 'boolean' },
    attach: { type: 'boolean' },
    'port-base': { type: 'string' },
    'token-api-port': { type: 'string' },
    'api-key': { type: 'string' },
    room: { type: 'string' },
    user: { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return undefined;
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const local = values.local === true;
  const attach = values.attach === true;
  const stage = str('stage');
  if (local === (stage !== undefined)) throw new UsageError('give exactly one of --stage <s> and --local');
  if (stage !== undefined) assertStage(stage);
  if (attach && !local) throw new UsageError('--attach goes with --local');
  if (!local && (str('port-base') ?? str('token-api-port')) !== undefined) throw new UsageError('--port-base and --token-api-port go with --local');
  if (str('token-api-port') !== undefined && !attach) throw new UsageError('--token-api-port goes with --attach (the own stack takes --port-base)');
  const apiKey = str('api-key') ?? (env.ROOMGATE_API_KEY || undefined);
  if (attach && apiKey === undefined) throw new UsageError('--attach needs --api-key (pnpm dev prints its dev API key) or ROOMGATE_API_KEY');
  if (local && !attach && str('api-key') !== undefined)
    throw new UsageError('--api-key goes with --attach or --stage; the own local stack uses its dev API key');
  // Checked here, as the token API would: a bad id is the caller's mistake (usage), not a failed token step.
  const roomId = str('room');
  if (roomId !== undefined && !isValidRoomId(roomId))
    throw new UsageError(`--room ${JSON.stringify(roomId)} is not a room id: 1-${ROOM_ID_MAX_LENGTH} characters of ${ROOM_ID_CHARSET}`);
  const userId = str('user');
  if (userId !== undefined && !isValidUserId(userId))
    throw new UsageError(`--user ${JSON.stringify(userId)} is not a user id: 1-${USER_ID_MAX_LENGTH} characters of ${USER_ID_CHARSET}`);
  const portBase = integer('--port-base', str('port-base'), 1, 65_535);
  if (portBase !== undefined && portLayout(portBase).max > 65_535) throw new UsageError(`--port-base ${portBase} puts ports past 65535`);
  return {
    local,
    attach,
    ...(stage !== undefined && { stage }),
    ...(portBase !== undefined && { portBase }),
    ...optional('tokenApiPort', integer('--token-api-port', str('token-api-port'), 1, 65_535)),
    ...optional('apiKey', local && !attach ? undefined : apiKey),
    ...optional('roomId', roomId),
    ...optional('userId', userId),
    ...optional('timeoutMs', integer('--timeout', str('timeout'), 100, 600_000)),
  };
}

/**
 * `pnpm smoke`. Resolves with the exit code: 0, 1 unexpected, 2 usage, 3 setup, or the failed
 * step's code (SMOKE_STEPS). Prints the steps on stdout and the failure, naming the step, on stderr.
 */
export async function runSmokeCli(argv: string[], io: SmokeCliIo): Promise<number> {
  let args: SmokeArgs;
  try {
    const parsed = parseSmokeArgs(argv, io.env);
    if (!parsed) {
      io.stdout(`${SMOKE_HELP}\n`);
      return SMOKE_EXIT.ok;
    }
    args = parsed;
  } catch (error) {
    io.stderr(`smoke: ${(error as Error).message} (see pnpm smoke --help)\n`);
    return SMOKE_EXIT.usage;
  }
  try {
    if (args.stage !== undefined) return await smokeStage(args as SmokeArgs & { stage: string }, io);
    if (args.attach)
      return await smokeTarget(
        { tokenApiUrl: `http://${DEV_HOST}:${args.tokenApiPort ?? portLayout(args.portBase ?? 4100).ports.tokenApi}`, authorize: apiKeyAuth(args.apiKey!) },
        args,
        io,
        'a running pnpm dev',
      );
    return await smokeOwnStack(args, io);
  } catch (error) {
    const known = isKnownCliError(error);
    io.stderr(`smoke: ${known ? '' : 'unexpected error: '}${String((error as Error)?.message ?? error).split('\n')[0]}\n`);
    return known ? SMOKE_EXIT.setup : SMOKE_EXIT.unexpected;
  }
}

async function smokeStage(args: SmokeArgs & { stage: string }, io: SmokeCliIo): Promise<number> {
  const { settings } = loadStage(args.stage, io.env);
  const create = io.createCloudFormationClient ?? createCloudFormationClient;
  const client = create({ region: settings.region });
  let endpoints;
  try {
    endpoints = await resolveStageEndpoints(client, args.stage);
  } finally {
    client.destroy();
  }
  let authorize;
  if (settings.callerAuth === 'api-key') {
    if (args.apiKey === undefined) {
      io.stderr(
        `smoke: stage ${args.stage} has callerAuth api-key: pass --api-key or set ROOMGATE_API_KEY (pnpm keys api-key create --stage ${args.stage} --id smoke --rooms 'smoke-*')\n`,
      );
      return SMOKE_EXIT.setup;
    }
    authorize = apiKeyAuth(args.apiKey);
  } else {
    const credentials = io.credentials ?? defaultProvider();
    try {
      // Resolved once here so missing credentials are a setup failure, not a failed token step.
      if (typeof credentials === 'function') await credentials();
    } catch (error) {
      io.stderr(`smoke: no AWS credentials to sign with (stage ${args.stage} has callerAuth iam): ${(error as Error).message.split('\n')[0]}\n`);
      return SMOKE_EXIT.setup;
    }
    authorize = sigV4Auth({ region: settings.region, credentials });
  }
  return smokeTarget(
    { tokenApiUrl: endpoints.tokenApiUrl, authorize },
    args,
    io,
    `stage ${args.stage} in ${settings.region} (callerAuth ${settings.callerAuth})`,
  );
}

async function smokeOwnStack(args: SmokeArgs, io: SmokeCliIo): Promise<number> {
  const ports = args.portBase !== undefined ? portLayout(args.portBase).ports : await freePortLayout();
  const stack = new DevStack(
    { stage: 'local', ports, dataDir: undefined, verbose: false, legacyTokens: false, events: false, repoRoot: io.repoRoot, command: 'pnpm smoke --local' },
    {
      progress: (line) => io.stdout(`  dev: ${line}\n`),
      log: (part, line) => {
        if (isNotable(line)) io.stderr(`  ${part}: ${line}\n`);
      },
    },
  );
  let interrupted = false;
  io.onSignal?.((signal) => {
    if (interrupted) return;
    interrupted = true;
    io.stderr(`smoke: ${signal}: stopping the local stack\n`);
    void stack.stop();
  });
  io.stdout(`Starting a local stack for the smoke test (token API on :${ports.tokenApi}, socket on :${ports.socket})\n`);
  try {
    let info;
    try {
      info = await stack.start();
    } catch (error) {
      io.stderr(`smoke: the local stack did not start: ${(error as Error).message}\n`);
      return SMOKE_EXIT.setup;
    }
    if (interrupted) return SMOKE_EXIT.unexpected;
    return await smokeTarget({ tokenApiUrl: info.urls.tokenApi, authorize: apiKeyAuth(info.devApiKey) }, args, io, 'its own local stack');
  } finally {
    await stack.stop();
  }
}

async function smokeTarget(target: SmokeTarget, args: SmokeArgs, io: SmokeCliIo, what: string): Promise<number> {
  io.stdout(`Smoke test of ${what}: ${target.tokenApiUrl}\n`);
  const started = performance.now();
  const outcome = await runSmoke(target, {
    report: (line) => io.stdout(`${line}\n`),
    ...optional('roomId', args.roomId),
    ...optional('userId', args.userId),
    ...optional('stepTimeoutMs', args.timeoutMs),
  });
  const total = Math.round(performance.now() - started);
  if (outcome.failed === undefined) {
    io.stdout(`Smoke test passed: ${outcome.results.length} steps in ${total} ms\n`);
    return SMOKE_EXIT.ok;
  }
  const failed = outcome.results.at(-1)!;
  io.stderr(`smoke: step "${outcome.failed}" failed (exit ${outcome.exitCode}): ${failed.detail}\n`);
  return outcome.exitCode;
}

/** A free loopback port for every part, so the own stack never meets a running pnpm dev. */
async function freePortLayout(): Promise<Ports> {
  const free = await freePorts(PORT_PARTS.length);
  return Object.fromEntries(PORT_PARTS.map((part, i) => [part.name, free[i]!])) as Ports;
}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
