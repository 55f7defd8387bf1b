import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { freePort, localClientConfig, startSecretsManager } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createJsonLogger, type Logger } from '@roomgate/shared/runtime';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import {
  createJwksSecretSource,
  generateSigningKey,
  importSigningKey,
  publicJwkOf,
  type SigningKeyRecord,
  createSigner,
  type TokenSigner,
  createVerifier,
} from '@roomgate/shared/tokens';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { WebSocketConnectEvent } from '../../src/events.ts';
import { makeConnectHandler } from '../../src/handlers/connect.ts';
import { createRuntime } from '../../src/lambda/runtime.ts';
import { localRuntimeEnv, stubLocalAwsEnv } from '../helpers/local-runtime.ts';
import { admitAll, memoryLogger } from '../helpers/fakes.ts';

/**
 * Secrets Manager failing under `$connect`: the public keys cannot be loaded at cold start, are
 * throttled, or are malformed. The connection is refused with a clean 503 (retry), nothing is
 * written, the failure is not cached, and the next connect after the fault clears is admitted.
 */

const ISS = 'roomgate';
const AUD = 'roomgate-socket';
const UNAVAILABLE = { error: { code: 'ERR_KEY_UNAVAILABLE', message: 'service temporarily unavailable, retry' } };

let now = 1_800_000_000;
const clock = () => now;
let record: SigningKeyRecord;
let signer: TokenSigner;
let dynamo: DynamoDBClient;
let store: ConnectionStore;
const jwks = async () => JSON.stringify({ keys: [await publicJwkOf(record)] });

beforeAll(async () => {
  record = await generateSigningKey('ES256');
  signer = createSigner({ key: await importSigningKey(record), issuer: ISS, audience: AUD, clock });
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), clock });
});

afterAll(() => dynamo?.destroy());

const secretId = () => `roomgate/sock-${randomUUID().slice(0, 6)}/public-keys`;

async function attempt(handler: (event: WebSocketConnectEvent) => Promise<{ statusCode: number; body?: string }>) {
  const roomId = `room-${randomUUID().slice(0, 8)}`;
  const connectionId = `c-${randomUUID()}`;
  const { token } = await signer.sign({ roomId, userId: 'alice', ttlSeconds: 300 });
  const result = await handler({ requestContext: { connectionId }, queryStringParameters: { token } });
  return { result, body: result.body ? (JSON.parse(result.body) as unknown) : undefined, row: await store.get(connectionId) };
}

function handlerOn(client: SecretsManagerClient, id: string, logger: Logger = memoryLogger()) {
  const keys = createJwksSecretSource({ client, secretId: id, clock, logger });
  return makeConnectHandler({ admission: admitAll, verifier: createVerifier({ keys, issuer: ISS, audience: AUD, clock }), store, logger, clock });
}

/**
 * A Secrets Manager client that reads the local endpoint, except that it throws what `fault()`
 * returns when that is an error (aws-sdk-client-mock: no local server throttles or fails on cue).
 * `destroy` closes both clients.
 */
function faultyClient(fault: () => Error | undefined): { client: SecretsManagerClient; destroy: () => void } {
  const real = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
  const client = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
  mockClient(client)
    .on(GetSecretValueCommand)
    .callsFake(async (input: GetSecretValueCommandInput) => {
      const error = fault();
      if (error) throw error;
      return real.send(new GetSecretValueCommand(input));
    });
  return { client, destroy: () => [real, client].forEach((c) => c.destroy()) };
}

const throttled = () =>
  new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

async function seeded(value?: string): Promise<{ id: string; admin: SecretsManagerClient }> {
  const admin = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
  const id = secretId();
  await admin.send(new CreateSecretCommand({ Name: id, SecretString: value ?? (await jwks()) }));
  return { id, admin };
}

describe('$connect when the public keys cannot be loaded', () => {
  it('Secrets Manager down at cold start (the runtime’s real client) → 503, nothing written; admitted once it is back', async () => {
    stubLocalAwsEnv();
    const port = await freePort();
    const id = secretId();
    const runtime = createRuntime(localRuntimeEnv({ PUBLIC_KEYS_SECRET_ID: id, SECRETS_ENDPOINT: `http://127.0.0.1:${port}` }));
    const handler = makeConnectHandler({ admission: admitAll, verifier: runtime.verifier, store: runtime.store, logger: memoryLogger() });
    const signNow = createSigner({ key: await importSigningKey(record), issuer: ISS, audience: AUD });
    const tryNow = async () => {
      const connectionId = `c-${randomUUID()}`;
      const { token } = await signNow.sign({ roomId: 'cold', ttlSeconds: 60 });
      const result = await handler({ requestContext: { connectionId }, queryStringParameters: { token } });
      return { result, row: await store.get(connectionId) };
    };
    try {
      const down = await tryNow();
      expect(down.result.statusCode).toBe(503);
      expect(JSON.parse(down.result.body!)).toEqual(UNAVAILABLE);
      expect(down.result.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|roomgate\//);
      expect(down.row).toBeUndefined();

      const server = await startSecretsManager({ port });
      try {
        const admin = new SecretsManagerClient(localClientConfig(server.endpoint));
        await admin.send(new CreateSecretCommand({ Name: id, SecretString: await jwks() }));
        admin.destroy();
        const up = await tryNow();
        expect(up.result.statusCode).toBe(200);
        expect(up.row).toBeDefined();
      } finally {
        await server.close();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  const transient: Array<[string, () => Error]> = [
    ['throttled', throttled],
    [
      'a 5xx',
      () => new SecretsManagerServiceException({ name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'internal' }),
    ],
    ['a timeout', () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    [
      'access denied',
      () =>
        new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'not authorized' }),
    ],
  ];

  it.each(transient)('%s (aws-sdk-client-mock) → 503 and nothing written; not cached: the next connect is admitted', async (_name, fault) => {
    const { id, admin } = await seeded();
    let failuresLeft = 1;
    const { client, destroy } = faultyClient(() => (failuresLeft-- > 0 ? fault() : undefined));
    const handler = handlerOn(client, id);
    const down = await attempt(handler);
    expect(down.result.statusCode).toBe(503);
    expect(down.body).toEqual(UNAVAILABLE);
    expect(down.row).toBeUndefined();
    const up = await attempt(handler);
    expect(up.result.statusCode).toBe(200);
    expect(up.row).toBeDefined();
    admin.destroy();
    destroy();
  });

  it.each([
    ['not JSON', 'nope'],
    ['no keys array', '{"keys":{}}'],
    ['a key without kid', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', alg: 'ES256' }] })],
    ['private material in the JWKS', 'PRIVATE'],
  ])('a malformed public-keys secret (%s) → 503 ERR_KEY_UNAVAILABLE naming nothing internal; repaired, the next connect is admitted', async (_name, bad) => {
    const good = await jwks();
    const value = bad === 'PRIVATE' ? JSON.stringify({ keys: [{ ...JSON.parse(good).keys[0], d: 'AAAA' }] }) : bad;
    const { id, admin } = await seeded(value);
    const client = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
    const logger = memoryLogger();
    const handler = handlerOn(client, id, logger);
    const down = await attempt(handler);
    expect(down.result.statusCode).toBe(503);
    expect(down.body).toEqual(UNAVAILABLE);
    expect(down.row).toBeUndefined();
    // The operator finds the real reason in the log.
    expect(JSON.stringify(logger.lines)).toMatch(/ERR_KEY_MALFORMED/);
    await admin.send(new PutSecretValueCommand({ SecretId: id, SecretString: good }));
    expect((await attempt(handler)).result.statusCode).toBe(200);
    for (const c of [admin, client]) c.destroy();
  });

  it('a missing public-keys secret → 503 ERR_KEY_UNAVAILABLE', async () => {
    const client = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
    const down = await attempt(handlerOn(client, secretId()));
    expect(down.result.statusCode).toBe(503);
    expect(down.body).toEqual(UNAVAILABLE);
    client.destroy();
  });
});

describe('$connect when a reload fails after the keys were loaded', () => {
  it('keeps admitting with the cached keys past their max age while Secrets Manager is throttled', async () => {
    const { id, admin } = await seeded();
    let down = false;
    const { client, destroy } = faultyClient(() => (down ? throttled() : undefined));
    const logger = memoryLogger();
    const handler = handlerOn(client, id, logger);
    expect((await attempt(handler)).result.statusCode).toBe(200);
    down = true;
    now += 301;
    expect((await attempt(handler)).result.statusCode).toBe(200);
    expect(logger.lines.some((l) => l.msg === 'public keys reload failed; serving cached keys')).toBe(true);
    admin.destroy();
    destroy();
  });
});

describe('what an operator reads when a token names a key this stage cannot load (docs/operations.md, key-load-failures)', () => {
  it('the unknown-kid refresh failure logs an `error` object like every reload failure, and `connect refused` names the kid', async () => {
    const { id, admin } = await seeded();
    let down = false;
    const { client, destroy } = faultyClient(() => (down ? throttled() : undefined));
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ base: { service: 'roomgate-socket' }, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const handler = handlerOn(client, id, logger);
    expect((await attempt(handler)).result.statusCode).toBe(200);
    down = true;
    // Signed with a key the JWKS does not list yet (a rotation published late).
    const rotated = await generateSigningKey('ES256');
    const early = createSigner({ key: await importSigningKey(rotated), issuer: ISS, audience: AUD, clock });
    const { token } = await early.sign({ roomId: 'r', userId: 'alice', ttlSeconds: 60 });
    const result = await handler({ requestContext: { connectionId: `c-${randomUUID()}` }, queryStringParameters: { token } });
    expect(result.statusCode).toBe(401);

    const refresh = lines.find((line) => line.message === 'public keys refresh for unknown kid failed');
    expect(refresh).toMatchObject({ level: 'WARN', error: { code: 'ERR_KEY_UNAVAILABLE', cause: { name: 'ThrottlingException', message: 'Rate exceeded' } } });
    expect(refresh).not.toHaveProperty('message_');
    expect(lines.find((line) => line.message === 'connect refused')).toMatchObject({
      code: 'ERR_TOKEN_INVALID',
      kid: rotated.kid,
      token: expect.stringMatching(/^sha256:/),
    });
    expect(JSON.stringify(lines)).not.toContain(token);
    admin.destroy();
    destroy();
  });
});
