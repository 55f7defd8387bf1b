import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generateSigningKey } from '@roomgate/shared/tokens';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretsClient, uniqueName } from '../helpers/clients.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI the way `pnpm keys` does: tsx, cwd = packages/devstack. */
async function keys(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ROOMGATE_SECRETS_ENDPOINT: inject('secretsEndpoint'), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let sm: SecretsManagerClient;
beforeAll(() => {
  sm = secretsClient(inject('secretsEndpoint'));
});
afterAll(() => sm.destroy());

describe('keys CLI (child process)', () => {
  it('--help prints usage and exits 0', async () => {
    const main = await keys(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^Usage: pnpm keys <command> --stage <s>/);
    expect(main.stdout).toMatch(/rotate {3}new key becomes current/);
    const create = await keys(['create', '--help']);
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Usage: pnpm keys create --stage <s> \[--alg RS256\|ES256\|EdDSA\] \[--if-missing\]/);
  });

  it('a bad stage exits 2 with one line on stderr', async () => {
    const result = await keys(['create', '--stage', 'Bad_Stage']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'keys: invalid stage "Bad_Stage": use 1-32 characters of a-z, 0-9 and -, starting with a letter or digit (see pnpm keys --help)\n',
    );
  });

  it('create, show, rotate, retire against the local endpoint without ever printing a private key', async () => {
    const stage = uniqueName('cli');
    const created = await keys(['create', '--stage', stage, '--alg', 'ES256']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(new RegExp(`^Created signing key for stage ${stage}\\.`));
    const stored = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: `roomgate/${stage}/signing-key` }))).SecretString!);
    expect(created.stdout).toContain(stored.kid);

    const shown = await keys(['show', '--stage', stage]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`current +${stored.kid} +ES256`));
    expect(shown.stdout).not.toContain('PRIVATE KEY');

    const duplicate = await keys(['create', '--stage', stage]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^keys: roomgate\/.+\/signing-key already exists; use "rotate" to replace it, or --if-missing to keep it\n$/);
    expect((await keys(['create', '--stage', stage, '--if-missing'])).code).toBe(0);

    const rotated = await keys(['rotate', '--stage', stage, '--json']);
    expect(rotated.code).toBe(0);
    const status = JSON.parse(rotated.stdout);
    expect(status).toMatchObject({ action: 'rotated', stage, previous: { kid: stored.kid, published: true } });
    expect(status.jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([status.current.kid, stored.kid]);
    expect(rotated.stdout).not.toMatch(/PRIVATE KEY|"d":/);

    // Right after a rotation the old key may still sign in a container that has not reloaded,
    // and its tokens live up to TOKEN_MAX_TTL: retire says how long to wait (issue 11, item 6).
    const early = await keys(['retire', '--stage', stage], { SECRETS_MAX_AGE: '60', TOKEN_MAX_TTL: '900' });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /^keys: "retire" would unpublish .+; wait until \S+Z \(the current key became current at \S+Z, \+ SECRETS_MAX_AGE \(60 s\) \+ TOKEN_MAX_TTL \(900 s\)\), or pass --force/,
    );
    expect(JSON.parse((await keys(['show', '--stage', stage, '--json'])).stdout).jwks.keys).toHaveLength(2);

    const retired = await keys(['retire', '--stage', stage, '--force']);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toMatch(new RegExp(`^Retired ${stored.kid} for stage ${stage}\\.`));
    expect(retired.stdout).toMatch(/previous .*\(not published: does not verify\)/);
  });

  it('show exits 1 on a stage whose source-format secret pairs a private key with another public key', async () => {
    const stage = uniqueName('cli');
    const [a, b] = [await generateSigningKey('RS256'), await generateSigningKey('RS256')];
    await sm.send(
      new CreateSecretCommand({
        Name: `roomgate/${stage}/signing-key`,
        SecretString: JSON.stringify({ private_key: a.private_key, public_key: b.public_key }),
      }),
    );
    const shown = await keys(['show', '--stage', stage]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/health +NOT OK: current key cannot sign verifiable tokens: private_key does not belong to public_key/);
    const created = await keys(['create', '--stage', stage, '--if-missing']);
    expect(created.code).toBe(1);
    expect(created.stderr).toMatch(/^keys: roomgate\/.+\/signing-key \(current\): private_key does not belong to public_key.*run "rotate"/);
  });

  it('takes --endpoint over the environment, and fails in one line when it is unreachable', async () => {
    const result = await keys(['show', '--stage', 'dev', '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keys: Secrets Manager request failed: .*ECONNREFUSED.*\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
