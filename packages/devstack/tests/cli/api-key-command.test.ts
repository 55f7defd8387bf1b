import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { runKeysCli } from '../../src/cli/keys-command.ts';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runKeysCli(argv, {
    env: {},
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // Never used for a request: every case fails before the first call.
    createClient: (config) => new SecretsManagerClient({ ...config, maxAttempts: 1 }),
  });
  return { code, stdout, stderr };
}

describe('pnpm keys api-key usage errors exit 2 with one line', () => {
  it.each([
    [['api-key'], /^keys: missing api-key command; expected one of create, list, revoke/],
    [['api-key', 'rotate', '--stage', 'dev'], /^keys: unknown api-key command "rotate"/],
    [['api-key', 'create', '--id', 'x', '--rooms', '*'], /^keys: --stage is required/],
    [['api-key', 'create', '--stage', 'dev', '--rooms', '*'], /^keys: --id is required for create/],
    [['api-key', 'create', '--stage', 'dev', '--id', 'x'], /^keys: --rooms is required for create/],
    [['api-key', 'revoke', '--stage', 'dev'], /^keys: --id is required for revoke/],
    [['api-key', 'revoke', '--stage', 'dev', '--id', 'x', '--rooms', '*'], /^keys: --rooms applies to create, not revoke/],
    [['api-key', 'list', '--stage', 'dev', '--id', 'x'], /^keys: --id applies to create and revoke, not list/],
    [['api-key', 'list', '--stage', 'dev', '--alg', 'RS256'], /^keys: Unknown option '--alg'/],
    [['--stage', 'dev', 'api-key', 'list'], /^keys: "api-key" must be the first argument/],
  ])('%j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--help lists the commands; the main help mentions api-key', async () => {
    expect((await cli(['api-key', '--help'])).stdout).toMatch(/^Usage: pnpm keys api-key <command> --stage <s>/);
    expect((await cli(['api-key', 'create', '--help'])).stdout).toMatch(/--rooms <list> +comma-separated room patterns/);
    expect((await cli(['--help'])).stdout).toMatch(/api-key +create, list or revoke API keys/);
  });
});
