import { spawn } from 'node:child_process';
import { signalProcessGroup } from '@roomgate/local-aws';
import { redactSecrets } from '@roomgate/shared/runtime';
import { lineSplitter, LineTail } from './log-lines.ts';
import { groupAlive } from './process-table.ts';

export interface ChildServiceOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** every output line, stdout and stderr interleaved as they arrive, with credentials redacted (redactSecrets) */
  onLine: (line: string) => void;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildService {
  pid: number;
  /** settles when the direct child exits; its own children may outlive it until `stop()` */
  exited: Promise<ChildExit>;
  /** undefined while running */
  exit(): ChildExit | undefined;
  tail(count?: number): string[];
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once the group is empty. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group now: for a second Ctrl-C, when waiting is not wanted. */
  kill(): void;
}

/**
 * Starts a command as the leader of a new process group (`detached`), so stopping it reaches
 * everything it started (sls → node → esbuild) and a terminal's Ctrl-C reaches only us: we
 * decide the order things stop in.
 */
export function startChildService(options: ChildServiceOptions): ChildService {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new LineTail();
  // The same backstop as the functions' logger, for what it does not write: serverless-offline's
  // route lines print the request path (`ANY /v1/<jwt>/rgk_… (λ: api)`), a crash prints a stack
  // with whatever it held. Every relayed line, the tail of a failed start included.
  const onLine = (raw: string) => {
    const line = redactSecrets(raw) as string;
    tail.add(line);
    options.onLine(line);
  };
  const out = lineSplitter(onLine);
  const err = lineSplitter(onLine);
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));

  let exit: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    // 'error' (e.g. ENOENT) comes without 'exit'; report it like an exit so waiters wake up.
    child.once('error', (error) => {
      onLine(`failed to start ${options.command}: ${error.message}`);
      exit ??= { code: -1, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      out.flush();
      err.flush();
      exit ??= { code, signal };
      resolve(exit);
    });
  });
  const pid = child.pid ?? -1;

  return {
    pid,
    exited,
    exit: () => exit,
    tail: (count) => tail.last(count),
    kill: () => {
      if (pid > 0) signalProcessGroup(pid, 'SIGKILL');
    },
    stop: async (graceMs = 5_000) => {
      if (pid <= 0) return;
      signalProcessGroup(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid)) {
        if (Date.now() > deadline) {
          signalProcessGroup(pid, 'SIGKILL');
          await waitFor(() => !groupAlive(pid), 2_000);
          break;
        }
        await sleep(50);
      }
      await Promise.race([exited, sleep(1_000)]);
    },
  };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(50);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
