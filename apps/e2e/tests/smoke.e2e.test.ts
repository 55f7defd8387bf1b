import { spawn } from 'node:child_process';
import { accepts } from '@roomgate/local-aws';
import { afterAll, describe, expect, it } from 'vitest';
import { freeDevPorts, REPO_ROOT, startPnpmDev, stopGroup, stopDev, type DevProcess } from './helpers/dev-process.ts';

/**
 * `pnpm smoke` as a user (and CI) types it, from the repository root: issue 14's proof that a
 * stage works, here against local stacks only (no AWS in CI).
 */

const STEPS = ['health', 'jwks', 'token', 'connect', 'publish', 'receive', 'list', 'kick', 'closed'];

/** Runs `pnpm smoke <args>` in its own process group; resolves its exit code and output. */
function pnpmSmoke(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ROOMGATE_')) env[name] = value;
    const child = spawn('pnpm', ['-s', 'smoke', ...args], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('pnpm smoke --local', () => {
  it('starts its own stack on free ports, passes every step with its time in ms, exits 0 and leaves no port open', async () => {
    const { code, stdout, stderr } = await pnpmSmoke(['--local'], 200_000);
    expect({ code, stderr: stderr.split('\n').filter((l) => l.startsWith('smoke:')) }, stdout + stderr).toEqual({ code: 0, stderr: [] });
    for (const step of STEPS) expect(stdout).toMatch(new RegExp(`^ {2}ok +${step} +\\d+ ms {2}\\S`, 'm'));
    expect(stdout).toMatch(/^Smoke test passed: 9 steps in \d+ ms$/m);
    const [, tokenApiPort, socketPort] = /token API on :(\d+), socket on :(\d+)/.exec(stdout)!;
    expect(await accepts(Number(tokenApiPort))).toBe(false);
    expect(await accepts(Number(socketPort))).toBe(false);
  });
});

describe('pnpm smoke --local --attach (a running pnpm dev)', () => {
  let dev: DevProcess | undefined;
  let tokenApiPort: number;

  afterAll(async () => {
    await stopDev(dev);
  });

  it('passes with the dev API key the banner prints', async () => {
    const { ports, args } = await freeDevPorts();
    tokenApiPort = ports['--token-api-port'];
    dev = await startPnpmDev(args, 200_000);
    const { code, stdout, stderr } = await pnpmSmoke(
      ['--local', '--attach', '--token-api-port', String(tokenApiPort), '--api-key', dev.banner.devApiKey],
      60_000,
    );
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`Smoke test of a running pnpm dev: http://127.0.0.1:${tokenApiPort}`);
  });

  it('a wrong API key fails the token step: exit 12, the step named, earlier steps passed, later ones not run', async () => {
    expect(dev, 'pnpm dev started in the previous test').toBeDefined();
    const { code, stdout, stderr } = await pnpmSmoke(['--local', '--attach', '--token-api-port', String(tokenApiPort), '--api-key', 'rgk_wrong'], 60_000);
    expect(code, stdout + stderr).toBe(12);
    expect(stderr).toMatch(/^smoke: step "token" failed \(exit 12\): POST \/v1\/tokens answered 401 instead of 201: \{"error":\{"code":"ERR_UNAUTHENTICATED"/m);
    expect(stdout).toMatch(/^ {2}ok +jwks /m);
    expect(stdout).toMatch(/^ {2}FAIL +token /m);
    expect(stdout).not.toMatch(/^ {2}\S+ +connect /m);
  });
});
