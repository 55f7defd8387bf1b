import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from '@roomgate/shared/runtime';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { runKeysCli } from '../../src/cli/keys-command.ts';

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const configs: SecretsManagerClientConfig[] = [];
  const code = await runKeysCli(argv, {
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    createClient: (config) => {
      configs.push(structuredClone(config));
      // Port 9 (discard) refuses connections: the command fails fast after building its client.
      return new SecretsManagerClient({ ...config, maxAttempts: 1 });
    },
  });
  return { code, stdout, stderr, configs };
}

describe('runKeysCli usage errors exit 2 with one line', () => {
  it.each([
    [[], /^keys: missing command; expected one of create, rotate, show, retire/],
    [['launch', '--stage', 'dev'], /^keys: unknown command "launch"/],
    [['create'], /^keys: --stage is required/],
    [['create', '--stage', 'x'.repeat(33)], /^keys: invalid stage/],
    [['create', '--stage', 'dev', '--alg', 'HS256'], /^keys: --alg must be one of RS256, ES256, EdDSA, got "HS256"/],
    [['show', '--stage', 'dev', '--alg', 'RS256'], /^keys: --alg applies to create and rotate, not show/],
    [['rotate', '--stage', 'dev', '--if-missing'], /^keys: --if-missing applies to create, not rotate/],
    [['create', '--stage', 'dev', '--colour'], /^keys: Unknown option '--colour'/],
    [['create', '--stage', 'dev', 'extra'], /^keys: unexpected argument "extra"/],
    [['show', '--stage', 'dev', '--endpoint', 'not a url'], /^keys: endpoint "not a url" is not a URL/],
    [['retire', '--stage', 'dev', '--secrets-max-age', '-5'], /^keys: --secrets-max-age needs a value, and a value starting with "-" is not accepted/],
    // pnpm passes a literal `--` through (`pnpm keys -- api-key rotate`): the subcommand is still read.
    [['--', 'api-key', 'rotate', '--stage', 'dev'], /^keys: unknown api-key command "rotate"/],
    [['--', 'create', '--stage', 'dev', '--alg', 'HS256'], /^keys: --alg must be one of RS256, ES256, EdDSA, got "HS256"/],
  ])('%j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('runKeysCli client configuration', () => {
  it('uses ROOMGATE_SECRETS_ENDPOINT with dummy local credentials', async () => {
    const { configs } = await cli(['show', '--stage', 'dev'], { ROOMGATE_SECRETS_ENDPOINT: 'http://127.0.0.1:9' });
    expect(configs).toEqual([
      {
        ...SECRETS_MANAGER_CLIENT_SETTINGS,
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
    ]);
  });

  it('lets --endpoint and --region win over the environment', async () => {
    const { configs } = await cli(['show', '--stage', 'dev', '--endpoint', 'http://127.0.0.1:9', '--region', 'eu-west-1'], {
      ROOMGATE_SECRETS_ENDPOINT: 'http://127.0.0.1:1',
    });
    expect(configs[0]).toMatchObject({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1' });
  });

  it("leaves credentials and endpoint to the SDK default chain without an endpoint, in the stage file's region", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-stages-'));
    writeFileSync(join(dir, 'dev.yml'), 'region: eu-west-1\n');
    // The SDK's default region (AWS_REGION, profiles) never decides: the stage's stacks are in eu-west-1.
    const { configs } = await cli(['show', '--stage', 'dev'], { ROOMGATE_STAGES_DIR: dir, AWS_REGION: 'ap-south-1' });
    // Retries and a request timeout always; credentials and endpoint from the SDK's chain.
    expect(configs).toEqual([{ ...SECRETS_MANAGER_CLIENT_SETTINGS, region: 'eu-west-1' }]);
    // A stage without a file: the default region, us-east-1, as for `sls package`.
    expect((await cli(['show', '--stage', 'other'], { AWS_REGION: 'ap-south-1' })).configs).toEqual([
      { ...SECRETS_MANAGER_CLIENT_SETTINGS, region: 'us-east-1' },
    ]);
  });
});

describe('runKeysCli and the stage file', () => {
  it('a --region other than the default names no stage file when the stage has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-stages-'));
    const { code, stderr } = await cli(['show', '--stage', 'prod', '--region', 'eu-west-1'], { ROOMGATE_STAGES_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'keys: stage prod (no stages/prod.yml: the defaults): --region eu-west-1 differs from the stage\'s region us-east-1: keys and both stacks must share one region; declare "region: eu-west-1" in stages/prod.yml instead\n',
    );
  });
});
