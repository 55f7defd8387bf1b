import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@roomgate/local-aws';
import { describe, expect, it } from 'vitest';
import { OFFLINE_PRELOAD_URL } from '../../src/dev/offline-specs.ts';

// serverless-offline itself, not a stand-in: the socket service's copy, a handler that really runs
// past its timeout ("[504] - Lambda timeout."), invoked with InvocationType Event.
const SOCKET_DIR = fileURLToPath(new URL('../../../../apps/socket/', import.meta.url));
const PROBE = fileURLToPath(new URL('./fixtures/offline-timeout-probe.mjs', import.meta.url));

async function runProbe(nodeOptions: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const handlerDir = mkdtempSync(join(tmpdir(), 'roomgate-probe-'));
  writeFileSync(join(handlerDir, 'handler.cjs'), 'exports.handler = () => new Promise((resolve) => setTimeout(resolve, 5000));\n');
  const [port] = await freePorts(1);
  const run = spawnSync(process.execPath, [PROBE, handlerDir, String(port)], {
    cwd: SOCKET_DIR,
    env: { ...process.env, NODE_OPTIONS: nodeOptions, AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the offline preload: an asynchronous invoke that times out', () => {
  it('without it, ends the serverless-offline process (the bug it exists for)', async () => {
    const run = await runProbe('');
    expect(run.stdout).toContain('invoke 202');
    expect(run.stdout).not.toContain('alive');
    expect(run.stderr).toContain('Lambda timeout');
    expect(run.status).not.toBe(0);
  });

  it('with it, is one warning naming the function; any other unhandled rejection still ends the process', async () => {
    const run = await runProbe(`--import=${OFFLINE_PRELOAD_URL}`);
    expect(run.stdout).toContain('invoke 202');
    expect(run.stdout).toContain('alive');
    const warning = run.stderr.split('\n').find((line) => line.includes('"level":"WARN"'));
    expect(JSON.parse(warning!)).toMatchObject({
      functionName: 'probe-slow',
      error: { message: '[504] - Lambda timeout.' },
      message: expect.stringMatching(/^asynchronous invoke of probe-slow failed/),
    });
    expect(run.stderr).toContain('unrelated rejection');
    expect(run.status).not.toBe(0);
  });
});
