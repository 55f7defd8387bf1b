import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hashApiKey } from '@roomgate/shared/auth';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretsClient, uniqueName } from '../helpers/clients.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs `pnpm keys api-key …` the way pnpm does: tsx, cwd = packages/devstack. */
async function apiKey(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'api-key', ...args], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ROOMGATE_SECRETS_ENDPOINT: inject('secretsEndpoint') },
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

describe('pnpm keys api-key (child process, local Secrets Manager)', () => {
  it('create prints the key once, stores its hash; list shows no key; revoke removes it', async () => {
    const stage = uniqueName('cli');
    const created = await apiKey(['create', '--stage', stage, '--id', 'chat-backend', '--rooms', 'chat-*,lobby']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(new RegExp(`^Created API key "chat-backend" for stage ${stage} \\(rooms: chat-\\*, lobby\\)\\.`));
    const key = /^ {2}(rgk_\S+)$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    const secret = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: `roomgate/${stage}/api-keys` }))).SecretString!);
    expect(secret).toEqual({ keys: [{ id: 'chat-backend', sha256: hashApiKey(key!), rooms: ['chat-*', 'lobby'] }] });

    const listed = await apiKey(['list', '--stage', stage]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`chat-backend  ${hashApiKey(key!).slice(0, 12)}  chat-*, lobby`);
    expect(listed.stdout).not.toContain(key!);

    const json = await apiKey(['list', '--stage', stage, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ action: 'listed', keys: [{ id: 'chat-backend', rooms: ['chat-*', 'lobby'] }] });

    const duplicate = await apiKey(['create', '--stage', stage, '--id', 'chat-backend', '--rooms', '*']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^keys: API key "chat-backend" already exists in roomgate\/.+\/api-keys; revoke it first or pick another --id\n$/);

    const revoked = await apiKey(['revoke', '--stage', stage, '--id', 'chat-backend']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked API key "chat-backend"/);
    expect((await apiKey(['list', '--stage', stage])).stdout).toBe(`No API keys for stage ${stage} (roomgate/${stage}/api-keys).\n`);
    expect((await apiKey(['revoke', '--stage', stage, '--id', 'chat-backend'])).stderr).toMatch(/^keys: no API key "chat-backend"/);
  });

  it('a bad room pattern exits 1 with one line naming it', async () => {
    const result = await apiKey(['create', '--stage', uniqueName('cli'), '--id', 'x', '--rooms', 'a*b']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('keys: room pattern "a*b": "*" may appear only once, at the end\n');
  });
});
