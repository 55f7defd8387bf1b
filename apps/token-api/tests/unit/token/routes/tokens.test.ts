import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { parseIamCallers } from '../../../../src/http/auth/iam-callers.ts';
import {
  AUDIENCE,
  CHAT_KEY,
  CHAT_ROLE,
  ISSUER,
  LOBBY_KEY,
  NOW,
  SOCKET_URL,
  decodeSegment,
  makeTestKey,
  testApp,
  testConfig,
  type TestKey,
} from '../../../helpers/fixtures.ts';

const keys = {} as Record<SigningAlgorithm, TestKey>;
beforeAll(async () => {
  for (const alg of ALGORITHMS) keys[alg] = await makeTestKey(alg);
});

const post = (payload: unknown, headers: Record<string, string> = { 'x-api-key': CHAT_KEY }) => ({
  method: 'POST' as const,
  url: '/v1/tokens',
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

describe.each(ALGORITHMS)('POST /v1/tokens with a %s key', (alg) => {
  it('issues a token that an independent implementation (jose) verifies', async () => {
    const { app } = testApp(keys[alg]);
    const res = await app.inject(post({ roomId: 'chat-42', userId: 'user@example.com', ttlSeconds: 120, capabilities: ['subscribe'] }));
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      token: expect.any(String),
      expiresAt: new Date((NOW + 120) * 1000).toISOString().replace('.000Z', 'Z'),
      expiresIn: 120,
      roomId: 'chat-42',
      socketUrl: SOCKET_URL,
      jti: expect.any(String),
      singleUse: false,
    });
    const { payload, protectedHeader } = await jwtVerify(body.token, await importJWK(keys[alg].jwk, alg), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
      currentDate: new Date(NOW * 1000),
    });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: keys[alg].signing.kid });
    expect(payload).toMatchObject({ sub: 'chat-42', uid: 'user@example.com', iat: NOW, exp: NOW + 120, cap: ['subscribe'] });
    expect(payload.jti).toBe(body.jti);
  });
});

describe('POST /v1/tokens', () => {
  it('defaults ttl and capabilities', async () => {
    const { app } = testApp(keys.RS256);
    const res = await app.inject(post({ roomId: 'chat-1' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().expiresIn).toBe(300);
    const claims = decodeSegment(res.json().token.split('.')[1]);
    expect(claims).toMatchObject({ exp: NOW + 300, cap: ['subscribe', 'publish'] });
    expect(claims).not.toHaveProperty('uid');
  });

  it('singleUse: true adds the once claim (claimed by jti at $connect); the stage default applies when the request is silent', async () => {
    const { app } = testApp(keys.RS256);
    const once = await app.inject(post({ roomId: 'chat-1', singleUse: true }));
    expect(once.json()).toMatchObject({ singleUse: true });
    expect(decodeSegment(once.json().token.split('.')[1])).toMatchObject({ once: true, jti: once.json().jti });
    expect(decodeSegment(once.json().token.split('.')[1])).toHaveProperty('once', true);
    const plain = await app.inject(post({ roomId: 'chat-1' }));
    expect(decodeSegment(plain.json().token.split('.')[1])).not.toHaveProperty('once');

    const { app: strict } = testApp(keys.RS256, { config: { ...testConfig(), singleUseDefault: true } });
    expect(decodeSegment((await strict.inject(post({ roomId: 'chat-1' }))).json().token.split('.')[1])).toHaveProperty('once', true);
    expect(decodeSegment((await strict.inject(post({ roomId: 'chat-1', singleUse: false }))).json().token.split('.')[1])).not.toHaveProperty('once');
    expect((await app.inject(post({ roomId: 'chat-1', singleUse: 'yes' }))).statusCode).toBe(400);
  });

  it('RS256 tokens verify with `openssl dgst -sha256 -verify` on the signing input', async () => {
    const { app } = testApp(keys.RS256);
    const { token } = (await app.inject(post({ roomId: 'chat-1' }))).json();
    const [header, payload, signature] = token.split('.');
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-openssl-'));
    try {
      writeFileSync(join(dir, 'pub.pem'), keys.RS256.record.public_key);
      writeFileSync(join(dir, 'input'), `${header}.${payload}`);
      writeFileSync(join(dir, 'sig'), Buffer.from(signature, 'base64url'));
      const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'input'], { cwd: dir, encoding: 'utf8' });
      expect(out.trim()).toBe('Verified OK');
      writeFileSync(join(dir, 'input'), `${header}.${payload}x`);
      expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'input'], { cwd: dir, stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the API key as `Authorization: Bearer`', async () => {
    const { app } = testApp(keys.ES256);
    const res = await app.inject(post({ roomId: 'chat-1' }, { authorization: `Bearer ${CHAT_KEY}` }));
    expect(res.statusCode).toBe(201);
  });

  it('appends ?token= when configured (source-article style)', async () => {
    const { app } = testApp(keys.RS256, { config: testConfig({ tokenInQuery: true, socketUrl: 'wss://ws.example.com/prod?v=1' }) });
    const body = (await app.inject(post({ roomId: 'chat-1' }))).json();
    const url = new URL(body.socketUrl);
    expect(url.origin + url.pathname).toBe('wss://ws.example.com/prod');
    expect(url.searchParams.get('v')).toBe('1');
    expect(url.searchParams.get('token')).toBe(body.token);
  });

  it('an IAM caller gets tokens for the rooms IAM_CALLERS maps its role to', async () => {
    const { app } = testApp(keys.EdDSA, {
      iamIdentity: () => ({ userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/i-0abc' }),
    });
    expect((await app.inject(post({ roomId: 'lobby' }, {}))).statusCode).toBe(201);
    const denied = await app.inject(post({ roomId: 'admin' }, {}));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('ERR_ROOM_FORBIDDEN');
  });

  it('an IAM caller takes precedence over an API key in the same request', async () => {
    const { app } = testApp(keys.RS256, {
      config: testConfig({ iamCallers: parseIamCallers({ [CHAT_ROLE]: ['lobby'] }) }),
      iamIdentity: () => ({ userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-1' }),
    });
    expect((await app.inject(post({ roomId: 'lobby' }, { 'x-api-key': CHAT_KEY }))).statusCode).toBe(201);
    const res = await app.inject(post({ roomId: 'chat-1' }, { 'x-api-key': CHAT_KEY }));
    expect(res.statusCode).toBe(403);
  });

  it('an IAM principal with no mapping may issue nothing (403, not 401)', async () => {
    const { app } = testApp(keys.RS256, { iamIdentity: () => ({ userArn: 'arn:aws:iam::999999999999:user/mallory' }) });
    const res = await app.inject(post({ roomId: 'chat-1' }, {}));
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ERR_ROOM_FORBIDDEN');
  });

  it.each([
    ['no credentials', {}],
    ['unknown API key', { 'x-api-key': 'rgk_not_a_known_key_0000000000000000' }],
    ['API key too short', { 'x-api-key': 'short' }],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['basic auth', { authorization: `Basic ${Buffer.from(`x:${CHAT_KEY}`).toString('base64')}` }],
    ['SigV4 header without API Gateway (no IAM context)', { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host, Signature=00' }],
  ])('401 ERR_UNAUTHENTICATED: %s', async (_name, headers) => {
    const { app } = testApp(keys.RS256);
    const res = await app.inject(post({ roomId: 'chat-1' }, headers));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.json()).toEqual({ error: { code: 'ERR_UNAUTHENTICATED', message: expect.any(String) } });
  });

  it('authenticates before reading the body: an anonymous 1 MB body is a 401, not a 413', async () => {
    const { app } = testApp(keys.RS256);
    const res = await app.inject(post(JSON.stringify({ roomId: 'x'.repeat(1024 * 1024) }), {}));
    expect(res.statusCode).toBe(401);
  });

  it.each([
    ['room outside the key scope', CHAT_KEY, 'lobby'],
    ['prefix is not a substring match', CHAT_KEY, 'xchat-1'],
    ['exact pattern', LOBBY_KEY, 'lobby2'],
  ])('403 ERR_ROOM_FORBIDDEN: %s', async (_name, key, roomId) => {
    const { app } = testApp(keys.RS256);
    const res = await app.inject(post({ roomId }, { 'x-api-key': key }));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'ERR_ROOM_FORBIDDEN', message: `this caller may not issue tokens for room "${roomId}"` } });
  });
});

describe('keys unavailable', () => {
  it('503 ERR_KEY_UNAVAILABLE with no internals, then 201 once keys load', async () => {
    const { app, keys: source } = testApp(keys.RS256);
    source.fail = true;
    const res = await app.inject(post({ roomId: 'chat-1' }));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'ERR_KEY_UNAVAILABLE', message: 'keys are temporarily unavailable; retry shortly' } });
    expect(res.body).not.toMatch(/ECONNREFUSED|roomgate\/test|stack|at /);
    source.fail = false;
    expect((await app.inject(post({ roomId: 'chat-1' }))).statusCode).toBe(201);
  });

  it('an unexpected failure is 500 ERR_INTERNAL without message or stack', async () => {
    const { app, keys: source } = testApp(keys.RS256);
    source.fault = new Error('boom: secret arn:aws:secretsmanager:eu-west-1:1:secret:x at /var/task/index.mjs:1:1');
    const res = await app.inject(post({ roomId: 'chat-1' }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });
});

// Issue 19: the body schema is compiled at build time, so the stage's TTL settings are applied by
// the route; they must still hold whatever the stage sets.
describe('POST /v1/tokens with the stage TTL settings (TOKEN_DEFAULT_TTL=90, TOKEN_MAX_TTL=600)', () => {
  const app = () => testApp(keys.RS256, { config: testConfig({ defaultTtlSeconds: 90, maxTtlSeconds: 600 }) }).app;

  it('issues the default lifetime when none is asked for, and up to the maximum', async () => {
    expect((await app().inject(post({ roomId: 'chat-1' }))).json()).toMatchObject({ expiresIn: 90 });
    expect((await app().inject(post({ roomId: 'chat-1', ttlSeconds: 600 }))).json()).toMatchObject({ expiresIn: 600 });
  });

  it('refuses one second more with 400 ERR_VALIDATION naming the limit, before the room is checked', async () => {
    for (const roomId of ['chat-1', 'lobby']) {
      const res = await app().inject(post({ roomId, ttlSeconds: 601 }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'ERR_VALIDATION', message: 'body.ttlSeconds must be <= 600' } });
    }
  });
});
