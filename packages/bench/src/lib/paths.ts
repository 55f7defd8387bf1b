import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_DIR = join(BENCH_DIR, '..', '..');
export const OUT_DIR = join(BENCH_DIR, '.out');
export const TOKEN_API_DIR = join(REPO_DIR, 'apps', 'token-api');
export const SOCKET_DIR = join(REPO_DIR, 'apps', 'socket');
/** tsx's CLI entry, run with `process.execPath` so children use the same node. */
export const TSX = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
