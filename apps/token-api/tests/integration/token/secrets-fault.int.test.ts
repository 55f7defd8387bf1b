import { generateKeyPairSync } from 'node:crypto';
import {
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import { createSigningKeySource, publicKeysSecretName, signingKeySecretName } from '@roomgate/shared/tokens';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../../src/token/app.ts';
import { createApiKeySource } from '../../../src/http/auth/api-key-source.ts';
import { apiKeysSecretName } from '../../../src/http/config.ts';
import { CHAT_KEY, apiKeysSecret, clock, testConfig } from '../../helpers/fixtures.ts';
import { seedStage, uniqueStage } from '../../helpers/local-secrets.ts';

/**
 * Secrets Manager failing under the token API: every failure is a clean 503 with a fixed message,
 * never cached, and the next request after the fault clears succeeds. Throttling, 5xx and timeouts
 * are injected with aws-sdk-client-mock (the local endpoint cannot produce them); malformed
 * secrets are real values in the local Secrets Manager. "Endpoint down at cold start" is covered
 * by secrets.int.test.ts ("Secrets Manager down at the first request").
 */

const UNAVAILABLE = { error: { code: 'ERR_KEY_UNAVAILABLE', message: 'keys are temporarily unavailable; retry shortly' } };

const endpoint = inject('secretsEndpoint');
const clients: SecretsManagerClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function appOn(client: SecretsManagerClient, stage: string) {
  return buildApp({
    config: testConfig(),
    keys: createSigningKeySource({ client, secretId: signingKeySecretName(stage), jwksSecretId: publicKeysSecretName(stage), clock }),
    apiKeys: createApiKeySource({ client, secretId: apiKeysSecretName(stage), clock }),
    clock,
  });
}

const tokenRequest = {
  method: 'POST' as const,
  url: '/v1/tokens',
  headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY },
  payload: { roomId: 'chat-1' },
};
const jwksRequest = { method: 'GET' as const, url: '/.well-known/jwks.json' };

const serviceError = (name: string, status: number, message: string) =>
  new SecretsManagerServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

type Which = 'signing-key' | 'public-keys' | 'api-keys';
const secretIdOf = (which: Which, stage: string) =>
  which === 'signing-key' ? signingKeySecretName(stage) : which === 'public-keys' ? publicKeysSecretName(stage) : apiKeysSecretName(stage);

describe('transient Secrets Manager faults (aws-sdk-client-mock)', () => {
  const faults: Array<[string, () => Error, string]> = [
    ['throttled (ThrottlingException)', () => serviceError('ThrottlingException', 400, 'Rate exceeded'), 'Rate exceeded'],
    [
      'a 5xx (InternalServiceError)',
      () => new InternalServiceError({ $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error' }),
      'internal error',
    ],
    ['a 503 (ServiceUnavailable)', () => serviceError('ServiceUnavailable', 503, 'Service Unavailable'), 'Service Unavailable'],
    ['a timeout', () => Object.assign(new Error('socket timed out after 3000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'timed out'],
    ['the network (ECONNRESET)', () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    ['access denied', () => serviceError('AccessDeniedException', 400, 'User: arn:aws:sts::123:assumed-role/x is not authorized'), 'arn:aws'],
  ];
  const secrets: Array<[Which, typeof tokenRequest | typeof jwksRequest, number]> = [
    ['signing-key', tokenRequest, 201],
    ['api-keys', tokenRequest, 201],
    ['public-keys', jwksRequest, 200],
  ];
  const cases = faults.flatMap(([name, fault, leak]) => secrets.map(([which, request, ok]) => [name, which, fault, leak, request, ok] as const));

  let stage: string;
  beforeAll(async () => {
    stage = uniqueStage('fault');
    (await seedStage(endpoint, stage)).client.destroy();
  });

  it.each(cases)('%s reading %s → 503 without internals, not cached, the next request succeeds', async (_name, which, fault, leak, request, ok) => {
    const real = new SecretsManagerClient(localClientConfig(endpoint));
    const client = new SecretsManagerClient(localClientConfig(endpoint));
    clients.push(real, client);
    const target = secretIdOf(which, stage);
    const reads: string[] = [];
    let failuresLeft = 1;
    mockClient(client)
      .on(GetSecretValueCommand)
      .callsFake(async (input: GetSecretValueCommandInput) => {
        reads.push(input.SecretId ?? '');
        if (input.SecretId === target && failuresLeft > 0) {
          failuresLeft -= 1;
          throw fault();
        }
        return real.send(new GetSecretValueCommand(input));
      });
    const app = appOn(client, stage);

    const down = await app.inject(request);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual(UNAVAILABLE);
    expect(down.headers['cache-control']).toBe('no-store');
    expect(down.body).not.toContain(leak);
    expect(down.body).not.toContain(stage);

    const up = await app.inject(request);
    expect(up.statusCode).toBe(ok);
    expect(reads.filter((id) => id === target)).toHaveLength(2);

    // Loaded once, kept: a third request does not read the secret again.
    await app.inject(request);
    expect(reads.filter((id) => id === target)).toHaveLength(2);
  });

  it('concurrent requests during a slow outage share one in-flight read; the failure is still not cached', async () => {
    const real = new SecretsManagerClient(localClientConfig(endpoint));
    const client = new SecretsManagerClient(localClientConfig(endpoint));
    clients.push(real, client);
    let down = true;
    let reads = 0;
    mockClient(client)
      .on(GetSecretValueCommand)
      .callsFake(async (input: GetSecretValueCommandInput) => {
        if (input.SecretId === signingKeySecretName(stage)) reads += 1;
        if (down && input.SecretId === signingKeySecretName(stage)) {
          // A throttled call answers after a round trip; requests arriving meanwhile join it.
          await new Promise((resolve) => setTimeout(resolve, 100));
          throw serviceError('ThrottlingException', 400, 'Rate exceeded');
        }
        return real.send(new GetSecretValueCommand(input));
      });
    const app = appOn(client, stage);
    const burst = await Promise.all(Array.from({ length: 20 }, () => app.inject(tokenRequest)));
    expect(burst.map((r) => r.statusCode)).toEqual(Array(20).fill(503));
    // Concurrent callers join one in-flight load rather than each hitting Secrets Manager.
    expect(reads).toBeLessThan(20);
    expect(reads).toBeGreaterThanOrEqual(1);
    down = false;
    expect((await app.inject(tokenRequest)).statusCode).toBe(201);
  });
});

describe('malformed secrets in the local Secrets Manager', () => {
  const weakRsa = () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    return {
      kid: 'weak',
      alg: 'RS256',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      public_key: publicKey.export({ type: 'spki', format: 'pem' }),
      created_at: '2026-01-01T00:00:00Z',
    };
  };

  const cases: Array<[string, Which, () => string, typeof tokenRequest | typeof jwksRequest]> = [
    ['signing key not JSON', 'signing-key', () => 'not json', tokenRequest],
    ['signing key without private_key', 'signing-key', () => '{"public_key":"x"}', tokenRequest],
    [
      'signing key PEM garbage',
      'signing-key',
      () => JSON.stringify({ kid: 'k', alg: 'RS256', private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', public_key: 'x' }),
      tokenRequest,
    ],
    ['signing key RSA-1024 (too weak for RS256)', 'signing-key', () => JSON.stringify(weakRsa()), tokenRequest],
    ['signing key alg that does not fit the key', 'signing-key', () => JSON.stringify({ ...weakRsa(), alg: 'EdDSA' }), tokenRequest],
    ['api-keys not JSON', 'api-keys', () => '{', tokenRequest],
    ['api-keys entry with a bad hash', 'api-keys', () => JSON.stringify({ keys: [{ id: 'x', sha256: 'zz', rooms: ['chat-*'] }] }), tokenRequest],
    [
      'public keys with private material',
      'public-keys',
      () => JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA', d: 'AA', kid: 'k', alg: 'EdDSA' }] }),
      jwksRequest,
    ],
    ['public keys without a keys array', 'public-keys', () => '{"keys":{}}', jwksRequest],
  ];

  it.each(cases)('%s → 503 naming nothing internal; repaired, the next request succeeds', async (_name, which, bad, request) => {
    const stage = uniqueStage('malformed');
    const { client } = await seedStage(endpoint, stage);
    clients.push(client);
    const secretId = secretIdOf(which, stage);
    const good = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!;
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: bad() }));

    const reader = new SecretsManagerClient(localClientConfig(endpoint));
    clients.push(reader);
    const app = appOn(reader, stage);
    const res = await app.inject(request);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(UNAVAILABLE);
    expect(res.body).not.toMatch(/private_key|PEM|sha256|keys array|kid|1024/);

    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: which === 'api-keys' ? apiKeysSecret() : good }));
    expect((await app.inject(request)).statusCode).toBe(request === jwksRequest ? 200 : 201);
  });
});
