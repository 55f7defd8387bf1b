import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stopProcessGroup } from '@roomgate/local-aws';

export { freePort } from '@roomgate/local-aws';

const cleanups = new Set<() => Promise<void>>();

/** Stops registered children when the section is interrupted (they run in their own process groups). */
export function registerCleanup(stop: () => Promise<void>): () => void {
  cleanups.add(stop);
  return () => cleanups.delete(stop);
}

export async function runCleanups(): Promise<void> {
  await Promise.allSettled([...cleanups].map((stop) => stop()));
}

export interface Service {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in its own process group with stdout on /dev/null (the services log a JSON
 * line per request, as in production) and waits until `GET <url>/healthz` answers.
 */
export async function startService(args: string[], env: Record<string, string>, port: number, timeoutMs = 30_000): Promise<Service> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    unregister();
    await stopProcessGroup(child, 3_000);
  };
  const unregister = registerCleanup(stop);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${args.join(' ')} not ready after ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, stop };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/**
 * proc(5): the fields of /proc/<pid>/stat after the parenthesised command name, numbered from
 * `state` = 0 (so ppid is 1, pgrp 2, utime 11, stime 12, in clock ticks). Throws once the process is gone.
 */
export function statFields(pid: number | string): number[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** CPU seconds (user + system) used so far by one process; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = statFields(pid);
    return ((fields[11] ?? 0) + (fields[12] ?? 0)) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) used so far by every live process in a process group. */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fields: number[];
    try {
      fields = statFields(entry);
    } catch {
      continue; // exited meanwhile
    }
    if (fields[2] !== pgid) continue;
    ticks += (fields[11] ?? 0) + (fields[12] ?? 0);
  }
  return ticks / CLOCK_TICKS;
}
