import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDevCli } from '../../src/cli/dev-command.ts';
import { PORT_PARTS } from '../../src/dev/ports.ts';
import { tcpAccepts } from '../../src/dev/readiness.ts';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Eight ports free right now, as the per-part flags. */
async function portFlags(): Promise<{ flags: string[]; ports: number[] }> {
  const servers = await Promise.all(PORT_PARTS.map(() => listen(0)));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  const names = ['token-api', 'token-api-lambda', 'socket', 'socket-http', 'socket-lambda', 'demo', 'dynamo', 'secrets'];
  return { flags: names.flatMap((name, i) => [`--${name}-port`, String(ports[i])]), ports };
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function dev(argv: string[], repoRoot: string) {
  let stdout = '';
  let stderr = '';
  const code = await runDevCli(argv, {
    env: {},
    cwd: repoRoot,
    repoRoot,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    onSignal: () => {},
  });
  return { code, stdout, stderr };
}

describe('pnpm dev failures (in process)', () => {
  it('a taken port stops it before anything starts, naming the part and the port', async () => {
    const { flags, ports } = await portFlags();
    held.push(await listen(ports[2]!));
    const result = await dev(flags, mkdtempSync(join(tmpdir(), 'roomgate-repo-')));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `dev: cannot start the socket service (WebSocket): port ${ports[2]} on 127.0.0.1 is already in use. Stop whatever holds it, or move the stack: pnpm dev --port-base <n>\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('a part that cannot start stops what already runs and exits 1', async () => {
    const { flags, ports } = await portFlags();
    // A repository without apps/: local AWS and the bootstrap succeed, the token API cannot start.
    const result = await dev(flags, mkdtempSync(join(tmpdir(), 'roomgate-repo-')));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^dev: cannot start the token API: .*serverless\.js is missing; run "pnpm install" at the repository root\n$/);
    expect(result.stdout).toMatch(/local AWS: DynamoDB on :\d+/);
    expect(result.stdout).toMatch(/stopping what had started…\n.*stopped; every port is free\n$/);
    const open = await Promise.all(ports.map((port) => tcpAccepts('127.0.0.1', port)));
    expect(open.every((answered) => !answered)).toBe(true);
  });

  it('--help prints usage and starts nothing', async () => {
    const result = await dev(['--help'], '/nonexistent');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: pnpm dev \[options\]/);
  });

  it('a bad flag exits 2', async () => {
    const result = await dev(['--port-base', 'x'], '/nonexistent');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('dev: --port-base must be a port number 1-65535, got "x" (see pnpm dev --help)\n');
  });
});
