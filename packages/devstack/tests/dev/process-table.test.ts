import { describe, expect, it } from 'vitest';
import { descendantsOf, groupAlive, readProcessTable, type ProcessEntry } from '../../src/dev/process-table.ts';

const entry = (pid: number, ppid: number, state = 'S'): ProcessEntry => ({ pid, ppid, pgid: pid, state, startTime: 1 });

describe('process table', () => {
  it('finds children and grandchildren across process groups, skipping zombies', () => {
    const table = [entry(1, 0), entry(10, 1), entry(11, 10), entry(12, 11), entry(13, 10, 'Z'), entry(20, 1)];
    expect(descendantsOf(10, table).map((p) => p.pid)).toEqual([11, 12]);
  });

  it.runIf(process.platform === 'linux')('reads this process from /proc', () => {
    const self = readProcessTable()!.find((p) => p.pid === process.pid);
    expect(self).toMatchObject({ ppid: process.ppid, state: expect.stringMatching(/^[RSD]$/) });
    expect(self!.startTime).toBeGreaterThan(0);
    expect(groupAlive(self!.pgid)).toBe(true);
  });
});
