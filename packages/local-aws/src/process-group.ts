import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to every process of group `pgid` (a child spawned with `detached: true` leads its
 * own group, so sls → node → worker threads all get it). False when the group is already gone.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the child's group, SIGKILL after `graceMs` if the child has not exited; resolves on exit. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (!signalProcessGroup(child.pid, 'SIGTERM')) return;
  const timer = setTimeout(() => signalProcessGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
