import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { descendantsOf, readProcessTable, type ProcessEntry } from '@roomgate/devstack/dev/process-table';
import { freePorts, signalProcessGroup } from '@roomgate/local-aws';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** What the banner tells a user, read the way a user reads it. */
export interface Banner {
  demoUrl: string;
  tokenApiUrl: string;
  socketUrl: string;
  devApiKey: string;
}

export interface DevProcess {
  child: ChildProcess;
  output(): string;
  banner: Banner;
  /** every process seen below `pnpm dev`, keyed by pid + start time */
  seen: Map<string, ProcessEntry>;
  /** records the current process tree into `seen` */
  snapshot(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const key = (p: ProcessEntry) => `${p.pid}:${p.startTime}`;

/**
 * `pnpm dev <args>` from the repository root, as a user types it, in its own process group so
 * the test can deliver Ctrl-C the way a terminal does: SIGINT to the whole foreground group.
 */
/** Every port `pnpm dev` opens, by its flag (`pnpm dev --help`). */
export const DEV_PORT_FLAGS = [
  '--token-api-port',
  '--token-api-lambda-port',
  '--socket-port',
  '--socket-http-port',
  '--socket-lambda-port',
  '--demo-port',
  '--dynamo-port',
  '--secrets-port',
  '--events-port',
] as const;

export type DevPorts = Record<(typeof DEV_PORT_FLAGS)[number], number>;

/**
 * A free loopback port for every flag, and the arguments that pass them: each test file's
 * `pnpm dev` gets its own set, so files never meet on a default port (base + offset).
 */
export async function freeDevPorts(): Promise<{ ports: DevPorts; args: string[] }> {
  const free = await freePorts(DEV_PORT_FLAGS.length);
  const ports = Object.fromEntries(DEV_PORT_FLAGS.map((flag, i) => [flag, free[i]!])) as DevPorts;
  return { ports, args: DEV_PORT_FLAGS.flatMap((flag) => [flag, String(ports[flag])]) };
}

export async function startPnpmDev(args: string[], timeoutMs: number): Promise<DevProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ROOMGATE_DEV_')) env[name] = value;
  const child = spawn('pnpm', ['dev', ...args], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null } | undefined;
  void exited.then((e) => (exit = e));

  const seen = new Map<string, ProcessEntry>();
  const snapshot = () => {
    const table = readProcessTable() ?? [];
    for (const entry of [...table.filter((p) => p.pid === child.pid), ...descendantsOf(child.pid!, table)]) seen.set(key(entry), entry);
  };

  const deadline = Date.now() + timeoutMs;
  while (!/Ctrl-C stops everything/.test(output)) {
    snapshot();
    if (exit) throw new Error(`pnpm dev exited (${exit.code}) before printing its banner:\n${output}`);
    if (Date.now() > deadline) {
      stopGroup(child, 'SIGKILL');
      throw new Error(`pnpm dev printed no banner within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  snapshot();
  return { child, output: () => output, banner: parseBanner(output), seen, snapshot, exited };
}

export function parseBanner(output: string): Banner {
  const field = (pattern: RegExp, name: string) => {
    const match = pattern.exec(output);
    if (!match?.[1]) throw new Error(`banner has no ${name}:\n${output}`);
    return match[1];
  };
  return {
    demoUrl: field(/^ {2}demo page +(http:\/\/\S+?)(?:\?\S*)?\s/m, 'demo page'),
    tokenApiUrl: field(/^ {2}token API +(http:\/\/\S+)/m, 'token API'),
    socketUrl: field(/^ {2}socket +(ws:\/\/\S+)/m, 'socket'),
    devApiKey: field(/^ {2}dev API key +(\S+)/m, 'dev API key'),
  };
}

/** Like a terminal's Ctrl-C: the signal goes to every process of the foreground group. */
export function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  signalProcessGroup(child.pid!, signal);
}

/** Processes from `seen` that still run (same pid and start time, not a zombie). */
export function survivors(seen: Map<string, ProcessEntry>): ProcessEntry[] {
  const now = new Map((readProcessTable() ?? []).filter((p) => p.state !== 'Z').map((p) => [key(p), p]));
  return [...seen.keys()].filter((k) => now.has(k)).map((k) => now.get(k)!);
}

/**
 * Ends a `pnpm dev` a test started, and whatever a failed test left running: `signal` to its group
 * (SIGINT: Ctrl-C first), up to `graceMs` for it to exit, then SIGKILL to every process seen below
 * it that still runs. Nothing to do for undefined (the stack never started).
 */
export async function stopDev(
  dev: DevProcess | undefined,
  { signal = 'SIGINT', graceMs = 20_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (dev === undefined) return;
  if (dev.child.exitCode === null && dev.child.signalCode === null) {
    stopGroup(dev.child, signal);
    await Promise.race([dev.exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  }
  for (const p of survivors(dev.seen)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
