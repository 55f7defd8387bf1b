import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runKeysCli } from '../../src/cli/keys-command.ts';
import { secretsClient, uniqueName } from '../helpers/clients.ts';

async function keys(argv: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const code = await runKeysCli(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

let sm: SecretsManagerClient;
let local: Record<string, string>;
beforeAll(() => {
  sm = secretsClient(inject('secretsEndpoint'));
  local = { ROOMGATE_SECRETS_ENDPOINT: inject('secretsEndpoint') };
});
afterAll(() => sm.destroy());

describe('pnpm keys delete (local Secrets Manager)', () => {
  it('schedules every secret of the stage for deletion with the recovery window, and says until when', async () => {
    const stage = uniqueName('del');
    expect((await keys(['create', '--stage', stage, '--alg', 'EdDSA'], local)).code).toBe(0);
    expect((await keys(['api-key', 'create', '--stage', stage, '--id', 'chat', '--rooms', 'chat-*'], local)).code).toBe(0);
    const before = Date.now();
    const { code, stdout } = await keys(['delete', '--stage', stage, '--recovery-window', '7', '--json'], local);
    expect(code).toBe(0);
    const { secrets } = JSON.parse(stdout) as { secrets: Array<{ name: string; outcome: string; deletionDate: string }> };
    expect(secrets.map((s) => [s.name, s.outcome])).toEqual(['signing-key', 'public-keys', 'api-keys'].map((n) => [`roomgate/${stage}/${n}`, 'scheduled']));
    for (const s of secrets) {
      const days = (Date.parse(s.deletionDate) - before) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThan(7.1);
      const described = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
      expect(described.DeletedDate).toBeInstanceOf(Date);
    }
  });

  it('--force-delete-without-recovery deletes at once; a stage without secrets reports them absent', async () => {
    const stage = uniqueName('del');
    expect((await keys(['create', '--stage', stage, '--alg', 'EdDSA'], local)).code).toBe(0);
    const forced = await keys(['delete', '--stage', stage, '--force-delete-without-recovery'], local);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`roomgate/${stage}/signing-key: deleted without recovery`);
    expect(forced.stdout).toContain(`roomgate/${stage}/api-keys: did not exist`);
    const again = await keys(['delete', '--stage', stage], local);
    expect(again.stdout).toContain(`roomgate/${stage}/signing-key: did not exist`);
  });

  it.each([
    [['delete', '--stage', 'x', '--recovery-window', '3'], /--recovery-window must be 7-30 days, got "3"/],
    [['delete', '--stage', 'x', '--recovery-window', '7', '--force-delete-without-recovery'], /exclude each other/],
    [['show', '--stage', 'x', '--force-delete-without-recovery'], /apply to delete, not show/],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stderr } = await keys(argv, local);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('pnpm keys region rule (one region per stage, shared with both services)', () => {
  it("against AWS, a --region other than the stage file's is refused before any request", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-stages-'));
    writeFileSync(join(dir, 'prod.yml'), 'region: eu-west-1\n');
    // No endpoint: real AWS, which this test never reaches.
    const { code, stderr } = await keys(['show', '--stage', 'prod', '--region', 'us-east-1'], { ROOMGATE_STAGES_DIR: dir, AWS_REGION: 'ap-south-1' });
    expect(code).toBe(1);
    expect(stderr).toContain("--region us-east-1 differs from the stage's region eu-west-1");
  });
});
