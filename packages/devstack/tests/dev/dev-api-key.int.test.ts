import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hashApiKey } from '@roomgate/shared/auth';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiKeyAdmin } from '../../src/api-key-admin.ts';
import { devApiKeyFile, ensureDevApiKey } from '../../src/dev/dev-api-key.ts';
import { secretsClient, uniqueName } from '../helpers/clients.ts';

let sm: SecretsManagerClient;
beforeAll(() => {
  sm = secretsClient(inject('secretsEndpoint'));
});
afterAll(() => sm.destroy());

describe('the dev API key', () => {
  it('in memory: a fresh key per start, stored as id "dev" for every room', async () => {
    const admin = new ApiKeyAdmin({ client: sm, stage: uniqueName('dev') });
    const first = await ensureDevApiKey(admin, undefined);
    const second = await ensureDevApiKey(admin, undefined);
    expect(first.key).not.toBe(second.key);
    expect(first.file).toBeUndefined();
    expect(await admin.list()).toEqual([{ id: 'dev', rooms: ['*'], sha256Prefix: hashApiKey(second.key).slice(0, 12) }]);
  });

  it('with a data dir: the same key on every start, kept in a private file, re-added if the secret lost it', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'roomgate-dev-')), 'data');
    const admin = new ApiKeyAdmin({ client: sm, stage: uniqueName('dev') });
    const first = await ensureDevApiKey(admin, dataDir);
    expect(first.file).toBe(devApiKeyFile(dataDir, admin.stage));
    expect(readFileSync(first.file!, 'utf8')).toBe(`${first.key}\n`);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);

    expect((await ensureDevApiKey(admin, dataDir)).key).toBe(first.key);
    await admin.revoke('dev');
    expect((await ensureDevApiKey(admin, dataDir)).key).toBe(first.key);
    expect((await admin.list())[0]).toMatchObject({ id: 'dev', sha256Prefix: hashApiKey(first.key).slice(0, 12) });
  });
});
