import { GetSecretValueCommand, PutSecretValueCommand, CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hashApiKey } from '@roomgate/shared/auth';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiKeyAdmin } from '../src/api-key-admin.ts';
import { secretsClient, uniqueName } from './helpers/clients.ts';

let sm: SecretsManagerClient;
beforeAll(() => {
  sm = secretsClient(inject('secretsEndpoint'));
});
afterAll(() => sm.destroy());

const stored = async (stage: string) =>
  JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: `roomgate/${stage}/api-keys` }))).SecretString!) as {
    keys: { id: string; sha256: string; rooms: string[] }[];
  };

describe('ApiKeyAdmin (real SDK, local Secrets Manager)', () => {
  it('creates the secret on first use and stores only the hash', async () => {
    const stage = uniqueName('ak');
    const admin = new ApiKeyAdmin({ client: sm, stage });
    expect(await admin.list()).toEqual([]);
    const { key, summary } = await admin.create({ id: 'chat-backend', rooms: ['chat-*', 'lobby'] });
    expect(key).toMatch(/^rgk_[A-Za-z0-9_-]{43}$/);
    expect(summary).toEqual({ id: 'chat-backend', rooms: ['chat-*', 'lobby'], sha256Prefix: hashApiKey(key).slice(0, 12) });
    const secret = await stored(stage);
    expect(secret).toEqual({ keys: [{ id: 'chat-backend', sha256: hashApiKey(key), rooms: ['chat-*', 'lobby'] }] });
    expect(JSON.stringify(secret)).not.toContain(key);
  });

  it('adds, lists and revokes keys; a duplicate id or an unknown id fails with a code', async () => {
    const stage = uniqueName('ak');
    const admin = new ApiKeyAdmin({ client: sm, stage });
    await admin.create({ id: 'a', rooms: ['*'] });
    await admin.create({ id: 'b', rooms: ['room-1'] });
    await expect(admin.create({ id: 'a', rooms: ['*'] })).rejects.toMatchObject({ code: 'ERR_API_KEY_EXISTS' });
    expect((await admin.list()).map((k) => k.id)).toEqual(['a', 'b']);
    expect(await admin.revoke('a')).toMatchObject({ id: 'a', rooms: ['*'] });
    expect((await stored(stage)).keys.map((k) => k.id)).toEqual(['b']);
    await expect(admin.revoke('a')).rejects.toMatchObject({ code: 'ERR_API_KEY_NOT_FOUND' });
  });

  it.each([
    ['bad id', { id: 'has space', rooms: ['*'] }],
    ['no rooms', { id: 'x', rooms: [] }],
    ['star in the middle', { id: 'x', rooms: ['a*b'] }],
    ['bad room charset', { id: 'x', rooms: ['room/1'] }],
  ])('refuses %s with ERR_API_KEY_INVALID and writes nothing', async (_label, input) => {
    const stage = uniqueName('ak');
    const admin = new ApiKeyAdmin({ client: sm, stage });
    await expect(admin.create(input)).rejects.toMatchObject({ code: 'ERR_API_KEY_INVALID' });
    expect(await admin.list()).toEqual([]);
  });

  it('ensure() keeps a matching key, and replaces a different hash under the same id', async () => {
    const stage = uniqueName('ak');
    const admin = new ApiKeyAdmin({ client: sm, stage });
    await admin.create({ id: 'other', rooms: ['x'] });
    expect(await admin.ensure({ id: 'dev', rooms: ['*'], key: 'rgk_first-key-0123456789' })).toEqual({ changed: true });
    expect(await admin.ensure({ id: 'dev', rooms: ['*'], key: 'rgk_first-key-0123456789' })).toEqual({ changed: false });
    expect(await admin.ensure({ id: 'dev', rooms: ['*'], key: 'rgk_second-key-0123456789' })).toEqual({ changed: true });
    const secret = await stored(stage);
    expect(secret.keys.map((k) => k.id)).toEqual(['other', 'dev']);
    expect(secret.keys[1]!.sha256).toBe(hashApiKey('rgk_second-key-0123456789'));
  });

  it('a secret that is not an api-keys document fails with ERR_KEY_MALFORMED, not a crash', async () => {
    const stage = uniqueName('ak');
    await sm.send(new CreateSecretCommand({ Name: `roomgate/${stage}/api-keys`, SecretString: '{"keys":' }));
    await expect(new ApiKeyAdmin({ client: sm, stage }).list()).rejects.toMatchObject({ code: 'ERR_KEY_MALFORMED' });
    await sm.send(new PutSecretValueCommand({ SecretId: `roomgate/${stage}/api-keys`, SecretString: '{"nokeys":[]}' }));
    await expect(new ApiKeyAdmin({ client: sm, stage }).list()).rejects.toMatchObject({ code: 'ERR_KEY_MALFORMED' });
  });
});
