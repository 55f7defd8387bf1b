import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** `pnpm bench …` runs `tsx src/main.ts …` in this package; neither case below starts the local stack. */
const bench = (...args: string[]) => spawnSync(TSX, ['src/main.ts', ...args], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000 });

describe('pnpm bench (the CLI)', () => {
  it('--help lists every section and exits 0 without starting anything', () => {
    const result = bench('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pnpm bench \[section…\]/);
    for (const section of ['issuance-in-process', 'issuance-http', 'connect', 'fan-out', 'history', 'cold-start', 'large-room'])
      expect(result.stdout).toContain(section);
  });

  it('an unknown section is a usage error (exit 2, one line naming it), not a stack trace', () => {
    const result = bench('--', 'large-rooms');
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'pnpm bench: unknown section(s) large-rooms; choose from issuance-in-process, issuance-http, connect, fan-out, history, cold-start, large-room (--help)',
    );
  });
});
