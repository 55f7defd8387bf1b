import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { freePort } from '@roomgate/local-aws';
import { RoomgateError } from '@roomgate/shared/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeCli, SMOKE_HELP, type SmokeCliIo } from '../../src/cli/smoke-command.ts';
import { SMOKE_STEPS } from '../../src/smoke/smoke-run.ts';
import { REPO_ROOT } from '../../src/stage-settings.ts';
import { describeStacksXml, fakeClientConfig, stackMissingXml, startFakeAwsQuery } from '../helpers/fake-aws-query.ts';

let fake: Awaited<ReturnType<typeof startFakeAwsQuery>>;
let deadPort: number;

beforeAll(async () => {
  // Nothing listens on deadPort: the stage "deployed" there fails its first step.
  deadPort = await freePort();
  fake = await startFakeAwsQuery(({ StackName }) => {
    if (StackName === 'roomgate-token-api-prod') return describeStacksXml(StackName, { HttpApiId: 'abc123defg', HttpApiUrl: `http://127.0.0.1:${deadPort}` });
    if (StackName === 'roomgate-socket-prod')
      return describeStacksXml(StackName, { WebsocketApiId: 'ws12345678', WebsocketUrl: 'wss://ws12345678.execute-api.eu-west-1.amazonaws.com/prod' });
    return stackMissingXml(StackName!);
  });
});
afterAll(() => fake.close());

function stagesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-smoke-cli-'));
  for (const [stage, text] of Object.entries(files)) writeFileSync(join(dir, `${stage}.yml`), text);
  return dir;
}

async function smoke(argv: string[], env: Record<string, string> = {}, extra: Partial<SmokeCliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const regions: Array<string | undefined> = [];
  const code = await runSmokeCli(argv, {
    env,
    repoRoot: REPO_ROOT,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    createCloudFormationClient: (config) => {
      regions.push(config.region as string | undefined);
      return new CloudFormationClient({ ...config, ...fakeClientConfig(fake.endpoint) });
    },
    ...extra,
  });
  return { code, stdout, stderr, regions };
}

describe('pnpm smoke', () => {
  it('--help lists every step with its exit code', async () => {
    const { code, stdout } = await smoke(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${SMOKE_HELP}\n`);
    for (const step of SMOKE_STEPS) expect(stdout).toMatch(new RegExp(`^ {2}${step.exitCode} +step ${step.name} failed$`, 'm'));
    expect(new Set(SMOKE_STEPS.map((s) => s.exitCode)).size).toBe(SMOKE_STEPS.length);
  });

  it.each([
    [[], /give exactly one of --stage <s> and --local/],
    [['--stage', 'prod', '--local'], /give exactly one of --stage <s> and --local/],
    [['--stage', 'Prod'], /invalid stage "Prod"/],
    [['--stage', 'prod', '--attach'], /--attach goes with --local/],
    [['--local', '--attach'], /--attach needs --api-key/],
    [['--local', '--api-key', 'k'], /--api-key goes with --attach or --stage/],
    [['--local', '--port-base', '65500'], /puts ports past 65535/],
    [['--local', '--token-api-port', '4100'], /--token-api-port goes with --attach/],
    [['--stage', 'prod', '--timeout', '-5'], /--timeout needs a value/],
    [['--stage', 'prod', '--launch'], /Unknown option '--launch'/],
    // The caller's mistake, caught before any step: not a failed token step (exit 12).
    [['--stage', 'prod', '--room', 'bad room'], /--room "bad room" is not a room id: 1-128 characters of A-Za-z0-9_.:-/],
    [['--local', '--user', 'a/b'], /--user "a\/b" is not a user id/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { code, stderr } = await smoke(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("--stage reads the token API URL from the stacks in the stage file's region, and names the failing step and its exit code", async () => {
    const env = { ROOMGATE_STAGES_DIR: stagesDir({ prod: 'region: eu-west-1\ncallerAuth: api-key\n' }) };
    const { code, stdout, stderr, regions } = await smoke(['--stage', 'prod', '--api-key', 'k', '--timeout', '2000'], env);
    expect(regions).toEqual(['eu-west-1']);
    expect(stdout).toContain(`Smoke test of stage prod in eu-west-1 (callerAuth api-key): http://127.0.0.1:${deadPort}`);
    expect(stdout).toMatch(/^ {2}FAIL +health +\d+ ms {2}fetch failed \(ECONNREFUSED\)$/m);
    expect(code).toBe(10);
    expect(stderr).toBe('smoke: step "health" failed (exit 10): fetch failed (ECONNREFUSED)\n');
  });

  it('--stage with callerAuth api-key and no key is a setup failure (exit 3) saying how to get one', async () => {
    const env = { ROOMGATE_STAGES_DIR: stagesDir({ prod: 'callerAuth: api-key\n' }) };
    const { code, stderr } = await smoke(['--stage', 'prod'], env);
    expect(code).toBe(3);
    expect(stderr).toContain("pass --api-key or set ROOMGATE_API_KEY (pnpm keys api-key create --stage prod --id smoke --rooms 'smoke-*')");
  });

  it('--stage with callerAuth iam and no credentials is a setup failure (exit 3), not a failed token step', async () => {
    const env = { ROOMGATE_STAGES_DIR: stagesDir({ prod: 'callerAuth: iam\n' }) };
    const credentials = () => Promise.reject(new Error('Could not load credentials from any providers'));
    const { code, stderr } = await smoke(['--stage', 'prod'], env, { credentials });
    expect(code).toBe(3);
    expect(stderr).toBe('smoke: no AWS credentials to sign with (stage prod has callerAuth iam): Could not load credentials from any providers\n');
  });

  it('--local with a port taken advises moving the smoke stack (pnpm smoke --local --port-base), not pnpm dev', async () => {
    const base = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ port: base, host: '127.0.0.1' }, resolve));
    try {
      const { code, stderr } = await smoke(['--local', '--port-base', String(base)]);
      expect(code).toBe(3);
      expect(stderr).toContain(`port ${base} on 127.0.0.1 is already in use. Stop whatever holds it, or move the stack: pnpm smoke --local --port-base <n>`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('--stage local is refused: the devstack stage is never deployed (pnpm smoke --local runs it)', async () => {
    const { code, stderr } = await smoke(['--stage', 'local', '--api-key', 'k'], { ROOMGATE_STAGES_DIR: stagesDir({}) });
    expect(code).toBe(3);
    expect(stderr).toMatch(/stage "local" is the devstack's/);
  });

  it('a stage whose stacks are missing is a setup failure (exit 3) naming the stack', async () => {
    const env = { ROOMGATE_STAGES_DIR: stagesDir({}) };
    const { code, stderr } = await smoke(['--stage', 'staging', '--api-key', 'k'], env);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^smoke: stack roomgate-(token-api|socket)-staging does not exist in this account and region \(deploy it: pnpm stage deploy\)\n$/);
  });

  it("the shared library's own errors during setup are setup failures (exit 3) in one line, as in the other CLIs", async () => {
    const { code, stderr } = await smoke(
      ['--stage', 'staging', '--api-key', 'k'],
      { ROOMGATE_STAGES_DIR: stagesDir({}) },
      {
        createCloudFormationClient: () => {
          throw new RoomgateError('ERR_KEY_UNAVAILABLE', 'keys are temporarily unavailable');
        },
      },
    );
    expect(code).toBe(3);
    expect(stderr).toBe('smoke: keys are temporarily unavailable\n');
  });
});
