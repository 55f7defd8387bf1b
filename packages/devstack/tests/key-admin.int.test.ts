import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT } from 'jose';
import { generateSigningKey, publicJwkOf, type Jwks, type SigningKeyRecord } from '@roomgate/shared/tokens';
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
    const versions = async () => (await sm.send(new DescribeSecretCommand({ SecretId: `roomgate/${admin.stage}/public-keys` }))).VersionIdsToStages;
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
      healthy: false,
      problems: [`roomgate/${admin.stage}/signing-key does not exist; run "create"`],
    });
  });

  it('reads a source-article secret (PEMs only) and derives its kid, then rotates from it', async () => {
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

/** A source-system secret ({private_key, public_key} only) written by hand, as a team adopting roomgate has it. */
async function adopt(stage: string, pair: { private_key: string; public_key: string }) {
  await sm.send(new CreateSecretCommand({ Name: `roomgate/${stage}/signing-key`, SecretString: JSON.stringify(pair) }));
}

const pem = (key: KeyObject, type: 'pkcs8' | 'spki', cipher?: string) =>
  key.export({ type, format: 'pem', ...(cipher && { cipher, passphrase: 'secret' }) } as never) as unknown as string;

describe('KeyAdmin refuses to call a key pair healthy that cannot sign verifiable tokens (issue 11, item 6)', () => {
  it.each([
    [
      'a private key of another pair',
      async () => {
        const [a, b] = [await generateSigningKey('RS256'), await generateSigningKey('RS256')];
        return { private_key: a.private_key, public_key: b.public_key };
      },
      /private_key does not belong to public_key/,
    ],
    [
      'an encrypted PKCS#8 private key',
      async () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return { private_key: pem(privateKey, 'pkcs8', 'aes-256-cbc'), public_key: pem(publicKey, 'spki') };
      },
      /encrypted PKCS#8/,
    ],
    [
      'a PEM with literal \\n',
      async () => {
        const a = await generateSigningKey('RS256');
        return { private_key: a.private_key.replaceAll('\n', '\\n'), public_key: a.public_key };
      },
      /literal "\\n"/,
    ],
    [
      'an RSA-1024 pair',
      async () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
        return { private_key: pem(privateKey, 'pkcs8'), public_key: pem(publicKey, 'spki') };
      },
      /RSA key is 1024 bits; RS256 needs at least 2048/,
    ],
  ])('%s: show is unhealthy, create --if-missing fails with ERR_KEY_INVALID and publishes nothing', async (_name, make, problem) => {
    const admin = adminFor();
    await adopt(admin.stage, await make());
    const status = await admin.show();
    expect(status.healthy).toBe(false);
    expect(status.problems).toEqual([expect.stringMatching(problem)]);
    expect(status.current).toMatchObject({ published: false, problem: expect.stringMatching(problem) });
    await expect(admin.create({ ifMissing: true })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID', message: expect.stringMatching(problem) });
    expect((await admin.show()).jwks).toBeNull();
    await expect(admin.retire()).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
    // The way out: rotate replaces the broken key.
    await admin.rotate();
    expect((await admin.show()).healthy).toBe(true);
  });

  it('create --if-missing publishes a current key the JWKS does not list, keeping the keys it lists', async () => {
    const admin = adminFor();
    const other = await generateSigningKey('ES256');
    await sm.send(new CreateSecretCommand({ Name: `roomgate/${admin.stage}/public-keys`, SecretString: JSON.stringify({ keys: [await publicJwkOf(other)] }) }));
    const legacy = await generateSigningKey('RS256');
    await adopt(admin.stage, legacy);
    expect((await admin.show()).problems).toEqual([expect.stringMatching(/current key .* is not published/)]);
    const { status } = await admin.create({ ifMissing: true });
    expect(status.healthy).toBe(true);
    expect(status.jwks?.keys.map((k) => k.kid)).toEqual([legacy.kid, other.kid]);
  });

  it('a kid published with other key material is not published', async () => {
    const admin = adminFor();
    const legacy = await generateSigningKey('ES256');
    const impostor = { ...(await publicJwkOf(await generateSigningKey('ES256'))), kid: legacy.kid };
    await sm.send(new CreateSecretCommand({ Name: `roomgate/${admin.stage}/public-keys`, SecretString: JSON.stringify({ keys: [impostor] }) }));
    await adopt(admin.stage, legacy);
    expect((await admin.show()).current).toMatchObject({ kid: legacy.kid, published: false });
  });
});

describe('KeyAdmin keeps every key published while it may sign or its tokens may live (issue 11, item 6)', () => {
  const live = (stage = uniqueName('st')) => new KeyAdmin({ client: sm, stage, secretsMaxAgeSeconds: 300, maxTokenTtlSeconds: 3600 });

  it('a second rotate within SECRETS_MAX_AGE + TOKEN_MAX_TTL is refused with the time to wait; --force drops the key', async () => {
    const admin = live();
    await admin.create();
    const first = await signingKey(admin.stage);
    const rotated = await admin.rotate();
    expect(Date.parse(rotated.othersDroppableAt!) - Date.parse(rotated.current!.storedAt!)).toBe(3900 * 1000);
    await expect(admin.rotate()).rejects.toMatchObject({
      code: 'ERR_KEY_IN_USE',
      message: expect.stringMatching(
        new RegExp(
          `"rotate" would unpublish ${first.kid} .*wait until ${rotated.othersDroppableAt}.*SECRETS_MAX_AGE \\(300 s\\) \\+ TOKEN_MAX_TTL \\(3600 s\\).*--force`,
        ),
      ),
    });
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).toContain(first.kid);
    await admin.rotate({ force: true });
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).not.toContain(first.kid);
  });

  it('retire right after rotate is refused; once the window has passed it retires', async () => {
    const admin = live();
    await admin.create();
    await admin.rotate();
    await expect(admin.retire()).rejects.toMatchObject({ code: 'ERR_KEY_IN_USE' });
    expect((await publicKeys(admin.stage)).keys).toHaveLength(2);
    const later = new KeyAdmin({
      client: sm,
      stage: admin.stage,
      secretsMaxAgeSeconds: 300,
      maxTokenTtlSeconds: 3600,
      now: () => new Date(Date.now() + 3901 * 1000),
    });
    expect((await later.retire()).status.jwks?.keys).toHaveLength(1);
  });

  it('rotating away from a broken current key keeps the published key containers still sign with', async () => {
    const admin = live();
    await admin.create({ alg: 'ES256' });
    const good = await signingKey(admin.stage);
    const [a, b] = [await generateSigningKey('ES256'), await generateSigningKey('ES256')];
    await sm.send(
      new PutSecretValueCommand({ SecretId: `roomgate/${admin.stage}/signing-key`, SecretString: JSON.stringify({ ...a, public_key: b.public_key }) }),
    );
    await admin.rotate();
    expect((await publicKeys(admin.stage)).keys.map((k) => k.kid)).toEqual([(await signingKey(admin.stage)).kid, good.kid]);
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
