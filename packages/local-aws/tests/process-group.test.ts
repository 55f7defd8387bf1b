import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stopProcessGroup } from '../src/process-group.ts';

describe('process groups', () => {
  it('stops a child and its grandchildren, escalating to SIGKILL past the grace period', async () => {
    // The parent ignores SIGTERM and keeps a grandchild in its group: only SIGKILL ends both.
    const script =
      "process.on('SIGTERM', () => {}); const g = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000); console.log(g.pid)";
    const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const grandchild = Number(await new Promise<string>((resolve) => child.stdout!.once('data', (data: Buffer) => resolve(data.toString()))));
    await stopProcessGroup(child, 300);
    expect(child.signalCode).toBe('SIGKILL');
    // The whole group got the SIGKILL, grandchild included: it is gone or a zombie awaiting its reaper.
    await expect.poll(() => processState(grandchild)).toMatch(/^(gone|Z)$/);
  });

  it('is a no-op for a child that already exited', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    await expect(stopProcessGroup(child)).resolves.toBeUndefined();
  });
});

function processState(pid: number): string {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — the state letter follows the closing parenthesis.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;
  } catch {
    return 'gone';
  }
}
