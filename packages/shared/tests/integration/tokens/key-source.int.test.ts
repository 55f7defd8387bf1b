import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig, startSecretsManager, type RunningSecretsManager } from '@roomgate/local-aws';
import { createJwksSecretSource, createSigningKeySource } from '../../../src/tokens/key-source.ts';
import { generateSigningKey, publicJwkOf, type SigningKeyRecord } from '../../../src/tokens/keys.ts';
import { createSigner } from '../../../src/tokens/signer.ts';
import { createVerifier } from '../../../src/tokens/verifier.ts';

let server: RunningSecretsManager;
let client: SecretsManagerClient;
let first: SigningKeyRecord;
let second: SigningKeyRecord;
let now = 1_800_000_000;
const clock = () => now;

async function jwksOf(...records: SigningKeyRecord[]): Promise<string> {
  return JSON.stringify({ keys: await Promise.all(records.map((record) => publicJwkOf(record))) });
}

beforeAll(async () => {
  server = await startSecretsManager();
  client = new SecretsManagerClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
  first = await generateSigningKey('RS256');
  second = await generateSigningKey('ES256');
  await client.send(new CreateSecretCommand({ Name: 'roomgate/it/signing-key', SecretString: JSON.stringify(first) }));
  await client.send(new CreateSecretCommand({ Name: 'roomgate/it/public-keys', SecretString: await jwksOf(first) }));
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('key sources over the real Secrets Manager SDK', () => {
  it('a missing secret is a clear ERR_KEY_NOT_FOUND naming the secret', async () => {
    const source = createSigningKeySource({ client, secretId: 'roomgate/nope/signing-key', jwksSecretId: 'roomgate/it/public-keys' });
    await expect(source.getSigningKey()).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
      message: 'secret roomgate/nope/signing-key does not exist',
    });
  });

  it('a malformed key is ERR_KEY_MALFORMED and is not cached', async () => {
    await client.send(new CreateSecretCommand({ Name: 'roomgate/bad/signing-key', SecretString: '{"private_key": 1}' }));
    const source = createSigningKeySource({ client, secretId: 'roomgate/bad/signing-key', jwksSecretId: 'roomgate/it/public-keys' });
    await expect(source.getSigningKey()).rejects.toMatchObject({ code: 'ERR_KEY_MALFORMED' });
    await client.send(new PutSecretValueCommand({ SecretId: 'roomgate/bad/signing-key', SecretString: JSON.stringify(first) }));
    await expect(source.getSigningKey()).resolves.toMatchObject({ kid: first.kid });
  });

  it('signs with the stored key and verifies with the stored JWKS', async () => {
    const keys = createSigningKeySource({ client, secretId: 'roomgate/it/signing-key', jwksSecretId: 'roomgate/it/public-keys', clock });
    const signer = createSigner({ key: keys.getSigningKey, issuer: 'i', audience: 'a', clock });
    const verifier = createVerifier({
      keys: createJwksSecretSource({ client, secretId: 'roomgate/it/public-keys', clock }),
      issuer: 'i',
      audience: 'a',
      clock,
    });
    const { token, kid } = await signer.sign({ roomId: 'lobby', ttlSeconds: 60 });
    expect(kid).toBe(first.kid);
    await expect(verifier.verify(token)).resolves.toMatchObject({ roomId: 'lobby', kid: first.kid });
    expect((await keys.getJwks()).keys.map((key) => key.kid)).toEqual([first.kid]);
  });

  it('after a rotation, an unknown kid reloads the JWKS once per cool-down; the old key keeps verifying', async () => {
    const jwksSource = createJwksSecretSource({ client, secretId: 'roomgate/it/public-keys', clock, refreshCooldownSeconds: 30 });
    const verifier = createVerifier({ keys: jwksSource, issuer: 'i', audience: 'a', clock });
    const oldSigner = createSigner({
      key: await createSigningKeySource({ client, secretId: 'roomgate/it/signing-key', jwksSecretId: 'roomgate/it/public-keys' }).getSigningKey(),
      issuer: 'i',
      audience: 'a',
      clock,
    });
    await verifier.verify((await oldSigner.sign({ roomId: 'r', ttlSeconds: 60 })).token);

    // Rotate: new signing key, JWKS = new + previous.
    await client.send(new PutSecretValueCommand({ SecretId: 'roomgate/it/signing-key', SecretString: JSON.stringify(second) }));
    await client.send(new PutSecretValueCommand({ SecretId: 'roomgate/it/public-keys', SecretString: await jwksOf(second, first) }));
    const newKeys = createSigningKeySource({ client, secretId: 'roomgate/it/signing-key', jwksSecretId: 'roomgate/it/public-keys' });
    const newSigner = createSigner({ key: newKeys.getSigningKey, issuer: 'i', audience: 'a', clock });
    const fresh = (await newSigner.sign({ roomId: 'r', ttlSeconds: 60 })).token;
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ kid: second.kid });
    await expect(verifier.verify((await oldSigner.sign({ roomId: 'r', ttlSeconds: 60 })).token)).resolves.toMatchObject({ kid: first.kid });

    // Forged unknown kids inside the cool-down do not reach Secrets Manager; after it, one reload.
    let reads = 0;
    const counting = new SecretsManagerClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
    counting.middlewareStack.add(
      (next) => (args) => {
        reads += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    const guarded = createJwksSecretSource({ client: counting, secretId: 'roomgate/it/public-keys', clock, refreshCooldownSeconds: 30 });
    await guarded.resolve(second.kid);
    expect(reads).toBe(1);
    expect(await guarded.resolve('forged-1')).toEqual([]);
    expect(reads).toBe(2);
    for (let i = 0; i < 20; i += 1) expect(await guarded.resolve(`forged-${i}`)).toEqual([]);
    expect(reads).toBe(2);
    now += 30;
    await guarded.resolve('forged-x');
    expect(reads).toBe(3);
    counting.destroy();
  });

  it('endpoint down at the first request → ERR_KEY_UNAVAILABLE; once it is back the next call succeeds', async () => {
    const port = server.port;
    const down = createSigningKeySource({ client, secretId: 'roomgate/it/signing-key', jwksSecretId: 'roomgate/it/public-keys' });
    await server.close();
    try {
      await expect(down.getSigningKey()).rejects.toMatchObject({ code: 'ERR_KEY_UNAVAILABLE' });
    } finally {
      server = await startSecretsManager({ port });
    }
    // The restarted emulator is empty (in-memory): recreate the secret as a deploy would.
    await client.send(new CreateSecretCommand({ Name: 'roomgate/it/signing-key', SecretString: JSON.stringify(first) }));
    await client.send(new CreateSecretCommand({ Name: 'roomgate/it/public-keys', SecretString: await jwksOf(first) }));
    await expect(down.getSigningKey()).resolves.toMatchObject({ kid: first.kid });
  });
});

/** A stage of its own: signing-key versions (oldest first, the last is AWSCURRENT) and a JWKS. */
async function stageWith(name: string, versions: object[], published: SigningKeyRecord[]) {
  const secretId = `roomgate/${name}/signing-key`;
  const jwksSecretId = `roomgate/${name}/public-keys`;
  await client.send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify(versions[0]) }));
  for (const version of versions.slice(1)) await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(version) }));
  await client.send(new CreateSecretCommand({ Name: jwksSecretId, SecretString: await jwksOf(...published) }));
  return { secretId, jwksSecretId };
}

describe('the token API signs only with a key its JWKS lists (issue 11, item 6)', () => {
  it('between "publish" and "make current" of a rotation it keeps signing with the previous, published key', async () => {
    const third = await generateSigningKey('EdDSA');
    // rotate = publish [new, old] then put new; here the put happened and the publish is not visible yet.
    const ids = await stageWith('halfway', [first, third], [first]);
    const source = createSigningKeySource({ client, ...ids, clock });
    await expect(source.getSigningKey()).resolves.toMatchObject({ kid: first.kid });
    expect((await source.getJwks()).keys.map((key) => key.kid)).toEqual([first.kid]);
  });

  it('refuses to sign when no key of the secret is published, and does not cache the refusal', async () => {
    const third = await generateSigningKey('EdDSA');
    const ids = await stageWith('unpublished', [third], [first]);
    const source = createSigningKeySource({ client, ...ids, clock });
    await expect(source.getSigningKey()).rejects.toMatchObject({
      code: 'ERR_KEY_MALFORMED',
      message: expect.stringMatching(/not published in roomgate\/unpublished\/public-keys/),
    });
    await client.send(new PutSecretValueCommand({ SecretId: ids.jwksSecretId, SecretString: await jwksOf(third) }));
    await expect(source.getSigningKey()).resolves.toMatchObject({ kid: third.kid });
  });

  it('a kid listed with other key material is not "published"', async () => {
    const impostor = { ...(await generateSigningKey('ES256')), kid: second.kid };
    const ids = await stageWith('impostor', [second], [impostor]);
    await expect(createSigningKeySource({ client, ...ids, clock }).getSigningKey()).rejects.toMatchObject({ code: 'ERR_KEY_MALFORMED' });
  });

  it('a source-system secret ({private_key, public_key}) whose halves do not match is refused at load', async () => {
    const other = await generateSigningKey('RS256');
    const ids = await stageWith('mismatch', [{ private_key: first.private_key, public_key: other.public_key }], [first, other]);
    await expect(createSigningKeySource({ client, ...ids, clock }).getSigningKey()).rejects.toMatchObject({
      code: 'ERR_KEY_MALFORMED',
      message: expect.stringMatching(/does not belong to public_key/),
    });
  });

  it('JWKS and signing key are one snapshot: across a rotation the served JWKS always lists the signing kid', async () => {
    const ids = await stageWith('snapshot', [first], [first]);
    const source = createSigningKeySource({ client, ...ids, clock, maxAgeSeconds: 60 });
    const listed = async () => {
      const kid = (await source.getSigningKey()).kid;
      expect((await source.getJwks()).keys.map((key) => key.kid)).toContain(kid);
      return kid;
    };
    // The JWKS is asked for first (a verifier fetched it), the signing key only after the rotation.
    expect((await source.getJwks()).keys.map((key) => key.kid)).toEqual([first.kid]);
    await client.send(new PutSecretValueCommand({ SecretId: ids.jwksSecretId, SecretString: await jwksOf(second, first) }));
    await client.send(new PutSecretValueCommand({ SecretId: ids.secretId, SecretString: JSON.stringify(second) }));
    now += 10;
    expect(await listed()).toBe(first.kid);
    now += 60;
    expect(await listed()).toBe(second.kid);
  });
});
