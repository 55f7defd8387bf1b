import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startSecretsManager } from '@roomgate/local-aws';
import { buildApp } from '../../../src/token/app.ts';
import { parseConfig } from '../../../src/token/config.ts';
import { createRuntime } from '../../../src/token/runtime.ts';
import { CHAT_KEY, CHAT_ROLE } from '../../helpers/fixtures.ts';
import { seedStage, uniqueStage } from '../../helpers/local-secrets.ts';

/** The real config path: env → parseConfig → SDK client against the local endpoint. */
function appFor(endpoint: string, stage: string, options: { iam?: boolean; env?: Record<string, string> } = {}) {
  const config = parseConfig({
    STAGE: stage,
    SOCKET_URL: 'ws://127.0.0.1:3001',
    SECRETS_ENDPOINT: endpoint,
    IAM_CALLERS: JSON.stringify({ [CHAT_ROLE]: ['chat-*'] }),
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return buildApp({
    config,
    ...createRuntime(config),
    ...(options.iam && { iamIdentity: () => ({ userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-1' }) }),
  });
}

const tokenRequest = (roomId = 'chat-1') => ({
  method: 'POST' as const,
  url: '/v1/tokens',
  headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY },
  payload: { roomId },
});

describe('token API against the local Secrets Manager (real SDK)', () => {
  const endpoint = inject('secretsEndpoint');

  it('issues tokens that verify against its own JWKS endpoint', async () => {
    const stage = uniqueStage('tapi');
    await seedStage(endpoint, stage, { alg: 'ES256' });
    const app = appFor(endpoint, stage);
    const res = await app.inject(tokenRequest());
    expect(res.statusCode).toBe(201);
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(res.json().token, createLocalJWKSet(jwks), { issuer: 'roomgate', audience: 'roomgate-socket' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('chat-1');
  });

  it('picks up a rotated key after SECRETS_MAX_AGE, and the JWKS keeps the previous one', async () => {
    const stage = uniqueStage('tapi');
    const { admin } = await seedStage(endpoint, stage);
    const app = appFor(endpoint, stage, { env: { SECRETS_MAX_AGE: '1', JWKS_MAX_AGE: '0' } });
    const before = (await app.inject(tokenRequest())).json().token as string;
    await admin.rotate();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const after = (await app.inject(tokenRequest())).json().token as string;
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([kidOf(before), kidOf(after)].sort());
    for (const token of [before, after]) await jwtVerify(token, createLocalJWKSet(jwks));
  });

  it.each([
    ['the signing-key secret is missing', { apiKeys: true, signing: false }],
    ['the api-keys secret is missing', { apiKeys: false, signing: true }],
  ])('503 ERR_KEY_UNAVAILABLE when %s, naming nothing internal', async (_name, which) => {
    const stage = uniqueStage('tapi');
    await seedStage(endpoint, stage, { signingKey: which.signing, apiKeys: which.apiKeys });
    const res = await appFor(endpoint, stage).inject(tokenRequest());
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'ERR_KEY_UNAVAILABLE', message: 'keys are temporarily unavailable; retry shortly' } });
    expect(res.body).not.toContain(stage);
  });
});

describe('Secrets Manager down at the first request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-sm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Seeds a persistent endpoint, stops it, and returns a way to bring it back on the same port. */
  async function stoppedEndpoint(stage: string) {
    const persistFile = join(dir, `${stage}.json`);
    const first = await startSecretsManager({ persistFile });
    await seedStage(first.endpoint, stage);
    await first.close();
    return { endpoint: first.endpoint, restart: () => startSecretsManager({ port: first.port, persistFile }) };
  }

  it.each([
    ['an IAM caller (signing key unreachable)', true],
    ['an API-key caller (api-keys unreachable)', false],
  ])('%s: 503 with no internals, then 201 once it is back', async (_name, iam) => {
    const stage = uniqueStage('down');
    const { endpoint, restart } = await stoppedEndpoint(stage);
    const app = appFor(endpoint, stage, { iam });

    const started = Date.now();
    const down = await app.inject(tokenRequest());
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: { code: 'ERR_KEY_UNAVAILABLE', message: 'keys are temporarily unavailable; retry shortly' } });
    expect(down.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|roomgate\/|at /);
    expect(Date.now() - started).toBeLessThan(5_000);

    const jwksDown = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwksDown.statusCode).toBe(503);

    const server = await restart();
    try {
      const up = await app.inject(tokenRequest());
      expect(up.statusCode).toBe(201);
      expect((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});
