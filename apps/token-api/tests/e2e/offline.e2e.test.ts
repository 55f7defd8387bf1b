import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_KEY } from '../helpers/fixtures.ts';
import { seedStage } from '../helpers/local-secrets.ts';
import { SLS, envWithoutAws, freePort, startUntil, type Spawned } from '../helpers/processes.ts';

let offline: Spawned;
let base: string;

beforeAll(async () => {
  const endpoint = inject('secretsEndpoint');
  await seedStage(endpoint, 'local');
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${httpPort}`;
  offline = await startUntil(SLS, ['offline', '--stage', 'local'], {
    env: envWithoutAws({
      ROOMGATE_TOKEN_API_HTTP_PORT: String(httpPort),
      ROOMGATE_TOKEN_API_LAMBDA_PORT: String(lambdaPort),
      ROOMGATE_SECRETS_ENDPOINT: endpoint,
      ROOMGATE_SOCKET_URL: 'ws://127.0.0.1:3001',
      ROOMGATE_LOG_LEVEL: 'warn',
    }),
    ready: /Server ready/,
    timeoutMs: 90_000,
  });
}, 120_000);
afterAll(async () => {
  await offline?.stop();
});

const tokenRequest = (headers: Record<string, string>, body: unknown = { roomId: 'chat-1' }) =>
  fetch(`${base}/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('sls offline --stage local', () => {
  it('issues a token for an API key, verifiable with the served JWKS', async () => {
    const res = await tokenRequest({ 'x-api-key': CHAT_KEY });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; socketUrl: string };
    expect(body.socketUrl).toBe('ws://127.0.0.1:3001');
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    const { payload } = await jwtVerify(body.token, createLocalJWKSet(jwks as never), { issuer: 'roomgate', audience: 'roomgate-socket' });
    expect(payload.sub).toBe('chat-1');
  });

  it('there is no IAM offline: a forged authorizer override header is ignored', async () => {
    const res = await tokenRequest({ 'sls-offline-authorizer-override': JSON.stringify({ iam: { userArn: 'arn:aws:iam::123456789012:role/chat-backend' } }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'ERR_UNAUTHENTICATED', message: expect.any(String) } });
  });

  it('answers unknown routes and wrong methods in the error shape', async () => {
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
    const wrong = await fetch(`${base}/v1/tokens`);
    expect(wrong.status).toBe(405);
  });

  it('413 for a 1 MB body', async () => {
    const res = await tokenRequest({ 'x-api-key': CHAT_KEY }, { roomId: 'chat-1', pad: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_BODY_TOO_LARGE');
  });
});
