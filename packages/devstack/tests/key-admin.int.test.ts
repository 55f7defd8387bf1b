import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT } from 'jose';
import { generateSigningKey, type Jwks, type SigningKeyRecord } from '@roomgate/shared/keys';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyAdmin } from '../src/key-admin.ts';
import { localClientConfig } from '@roomgate/local-aws';
import { secretsClient, uniqueName } from './helpers/clients.ts';

let sm: SecretsManagerClient;

beforeAll(() => {
  sm = secretsClient(inject('secretsEndpoint'));
});

afterAll(() => sm.destroy());

const FIXED = new Date('2030-01-02T03:04:05.000Z');
const adminFor = (stage = uniqueName('st')) => new KeyAdmin({ client: sm, stage, now: () => FIXED });

const readSecret = async (SecretId: string, VersionStage = 'AWSCURRENT') =>
  (await sm.send(new GetSecretValueCommand({ SecretId, VersionStage }))).SecretString!;
const signingKey = async (stage: string, label = 'AWSCURRENT') => JSON.parse(await readSecret(`roomgate/${stage}/signing-key`, label)) as SigningKeyRecord;
const publicKeys = async (stage: string) => JSON.parse(await readSecret(`roomgate/${stage}/public-keys`)) as Jwks;

/** A real token signed with the stored private key, checked against the stored JWKS. */
async function verifies(record: SigningKeyRecord, jwks: Jwks): Promise<boolean> {
  const key = await importPKCS8(record.private_key, record.alg);
  const token = await new SignJWT({}).setProtectedHeader({ alg: record.alg, kid: record.kid, typ: 'JWT' }).setSubject('room-1').sign(key);
  try {
    await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: [record.alg] });
    return true;
  } catch {
    return false;
  }
}

describe('KeyAdmin.create', () => {
  it('stores an RS256 signing key and publishes its public JWK, never the private part', async () => {
    const admin = adminFor();
    const { created, status } = await admin.create();
    expect(created).toBe(true);

    const record = await signingKey(admin.stage);
    expect(record).toMatchObject({ alg: 'RS256', created_at: FIXED.toISOString() });
    expect(record.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(record.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const jwks = await publicKeys(admin.stage);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: record.kid, alg: 'RS256', use: 'sig', kty: 'RSA' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(await verifies(record, jwks)).toBe(true);

    expect(status.current).toMatchObject({ kid: record.kid, alg: 'RS256', created_at: FIXED.toISOString(), published: true });
    expect(status.previous).toBeUndefined();
    expect(JSON.stringify(status)).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it('refuses to replace an existing key, and --if-missing keeps it', async () => {
    const admin = adminFor();
    await admin.create({ alg: 'ES256' });
    const kid = (await signingKey(admin.stage)).kid;
    await expect(admin.create()).rejects.toMatchObject({ code: 'ERR_KEY_EXISTS', message: expect.stringMatching(/already exists/) });
    const kept = await admin.create({ ifMissing: true });
    expect(kept.created).toBe(false);
    expect(kept.status.current?.kid).toBe(kid);
    expect((await signingKey(admin.stage)).kid).toBe(kid);
  });

  it('with --if-missing republishes a missing JWKS', async () => {
    const admin = adminFor();
    await admin.create({ alg: 'EdDSA' });
    await sm.send(new DeleteSecretCommand({ SecretId: `roomgate/${admin.stage}/public-keys`, ForceDeleteWithoutRecovery: true }));
    expect((await admin.show()).jwks).toBeNull();
    await admin.create({ ifMissing: true });
    const jwks = await publicKeys(admin.stage);
    expect(jwks.keys.map((k) => k.kid)).toEqual([(await signingKey(admin.stage)).kid]);
  });
});

describe('KeyAdmin.rotate and retire', () => {
  it('rotates twice: the JWKS always holds current + previous, and retire drops the previous', async () => {
    const admin = adminFor();
    await admin.create({ alg: 'ES256' });
    const first = await signingKey(admin.stage);

    const afterFirst = await admin.rotate();
    const second = await signingKey(admin.stage);
    expect(second.kid).not.toBe(first.kid);
    expect(second.alg).toBe('ES256');
    expect((await signingKey(admin.stage, 'AWSPREVIOUS')).kid).toBe(first.kid);
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
    expect(afterFirst.current).toMatchObject({ kid: second.kid, published: true });
    expect(afterFirst.previous).toMatchObject({ kid: first.kid, published: true });
    expect(await verifies(first, await publicKeys(admin.stage))).toBe(true);
    expect(await verifies(second, await publicKeys(admin.stage))).toBe(true);

    await admin.rotate({ alg: 'EdDSA' });
    const third = await signingKey(admin.stage);
    expect(third.alg).toBe('EdDSA');
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).toEqual([third.kid, second.kid]);
    expect(await verifies(first, await publicKeys(admin.stage))).toBe(false);

    const { retired, status } = await admin.retire();
    expect(retired).toEqual([second.kid]);
    const jwks = await publicKeys(admin.stage);
    expect(jwks.keys.map((k) => k.kid)).toEqual([third.kid]);
    expect(await verifies(second, jwks)).toBe(false);
    expect(await verifies(third, jwks)).toBe(true);
    // The previous key stays in the secret (AWSPREVIOUS) but is shown as no longer verifying.
    expect(status.previous).toMatchObject({ kid: second.kid, published: false });
    expect(status.current).toMatchObject({ kid: third.kid, published: true });
  });

  it('retiring twice writes no new JWKS version', async () => {
    const admin = adminFor();
    await admin.create({ alg: 'ES256' });
    await admin.rotate();
    await admin.retire();
    const versions = async () =>
      (await sm.send(new DescribeSecretCommand({ SecretId: `roomgate/${admin.stage}/public-keys` }))).VersionIdsToStages;
    const before = await versions();
    const again = await admin.retire();
    expect(again.retired).toEqual([]);
    expect(await versions()).toEqual(before);
  });

  it.each(['rotate', 'retire'] as const)('%s without a key fails with ERR_KEY_NOT_FOUND', async (operation) => {
    const admin = adminFor();
    await expect(admin[operation]()).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', message: expect.stringMatching(/run "create" first/) });
  });
});

describe('KeyAdmin.show', () => {
  it('shows an empty stage', async () => {
    const admin = adminFor();
    expect(await admin.show()).toEqual({
      stage: admin.stage,
      signingKeySecret: `roomgate/${admin.stage}/signing-key`,
      publicKeysSecret: `roomgate/${admin.stage}/public-keys`,
      jwks: null,
    });
  });

  it("reads a source-article secret (PEMs only) and derives its kid, then rotates from it", async () => {
    const admin = adminFor();
    const legacy = await generateSigningKey('RS256');
    await sm.send(
      new CreateSecretCommand({
        Name: `roomgate/${admin.stage}/signing-key`,
        SecretString: JSON.stringify({ private_key: legacy.private_key, public_key: legacy.public_key }),
      }),
    );
    const status = await admin.show();
    expect(status.current).toMatchObject({ kid: legacy.kid, alg: 'RS256', published: false });
    await admin.rotate();
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).toEqual([(await signingKey(admin.stage)).kid, legacy.kid]);
  });
});

describe('KeyAdmin errors', () => {
  it.each(['', 'Prod', 'a_b', 'x'.repeat(33), '../etc'])('rejects stage %j with ERR_STAGE_INVALID', (stage) => {
    expect(() => new KeyAdmin({ client: sm, stage })).toThrow(expect.objectContaining({ code: 'ERR_STAGE_INVALID' }));
  });

  it('turns an unreachable endpoint into ERR_SECRETS_UNAVAILABLE', async () => {
    const dead = new SecretsManagerClient({ ...localClientConfig('http://127.0.0.1:9'), maxAttempts: 1 });
    try {
      await expect(new KeyAdmin({ client: dead, stage: 'dev' }).show()).rejects.toMatchObject({
        code: 'ERR_SECRETS_UNAVAILABLE',
        message: expect.stringMatching(/^Secrets Manager request failed: /),
      });
    } finally {
      dead.destroy();
    }
  });
});
