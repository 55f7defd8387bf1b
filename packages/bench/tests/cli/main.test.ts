import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** `pnpm bench …` runs `tsx src/main.ts …` in this package; neither case below starts the local stack. */
const bench = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(TSX, ['src/main.ts', ...args], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

describe('pnpm bench (the CLI)', () => {
  it('--help lists every section and exits 0 without starting anything', () => {
    const result = bench(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pnpm bench \[section…\]/);
    for (const section of ['issuance-in-process', 'issuance-http', 'connect', 'fan-out', 'history', 'cold-start', 'large-room'])
      expect(result.stdout).toContain(section);
  });

  it('an unknown section is a usage error (exit 2, one line naming it), not a stack trace', () => {
    const result = bench(['--', 'large-rooms']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'pnpm bench: unknown section(s) large-rooms; choose from issuance-in-process, issuance-http, connect, fan-out, history, cold-start, large-room (--help)',
    );
  });

  it.each([
    ['BENCH_COLD_RUNS', '0', 'a positive integer (fresh processes per bundle)'],
    ['BENCH_COLD_RUNS', 'five', 'a positive integer (fresh processes per bundle)'],
    ['BENCH_COLD_SPLIT', 'yes', '0 or 1'],
    ['BENCH_COLD_CPU_PROF_INTERVAL', '0.5', 'a positive integer (microseconds between samples)'],
    ['BENCH_HTTP_SECONDS', '-1', 'a positive number of seconds'],
    ['BENCH_LARGE_ROOM_SIZES', '1000,,5000', 'positive integers separated by commas'],
    ['BENCH_LARGE_ROOM_SHARDING', '5000', '<shardSize>x<concurrency>, separated by commas'],
  ])('%s=%s is a usage error (exit 2, one line) before anything starts', (name, value, expected) => {
    const result = bench(['cold-start'], { [name]: value });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`pnpm bench: ${name}=${JSON.stringify(value)} is not ${expected} (--help)`);
    expect(result.stdout).toBe('');
  });
});
