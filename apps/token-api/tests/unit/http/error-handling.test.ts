import { beforeAll, describe, expect, it } from 'vitest';
import { CHAT_KEY, makeTestKey, testApp, type TestKey } from '../../helpers/fixtures.ts';

let key: TestKey;
beforeAll(async () => {
  key = await makeTestKey('ES256');
});

const json = (value: unknown): string => JSON.stringify(value);

// [name, raw body, content-type, expected status, expected code]
const cases: Array<[string, string, string | undefined, number, string]> = [
  ['roomId missing', json({}), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId a number', json({ roomId: 42 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId null', json({ roomId: null }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId empty', json({ roomId: '' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId with #', json({ roomId: 'chat-#1' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId with /', json({ roomId: 'chat-a/b' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId with a space', json({ roomId: 'chat- 1' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId with a newline', json({ roomId: 'chat-1\n' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId with *', json({ roomId: 'chat-*' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId 129 chars', json({ roomId: `chat-${'x'.repeat(124)}` }), 'application/json', 400, 'ERR_VALIDATION'],
  ['roomId 1 KB', json({ roomId: `chat-${'x'.repeat(1019)}` }), 'application/json', 400, 'ERR_VALIDATION'],
  ['userId a number', json({ roomId: 'chat-1', userId: 7 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['userId with a space', json({ roomId: 'chat-1', userId: 'a b' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['userId 129 chars', json({ roomId: 'chat-1', userId: 'u'.repeat(129) }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl 0', json({ roomId: 'chat-1', ttlSeconds: 0 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl negative', json({ roomId: 'chat-1', ttlSeconds: -60 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl above max', json({ roomId: 'chat-1', ttlSeconds: 3601 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl fractional', json({ roomId: 'chat-1', ttlSeconds: 1.5 }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl a numeric string', json({ roomId: 'chat-1', ttlSeconds: '60' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['ttl huge', '{"roomId":"chat-1","ttlSeconds":1e308}', 'application/json', 400, 'ERR_VALIDATION'],
  ['unknown capability', json({ roomId: 'chat-1', capabilities: ['admin'] }), 'application/json', 400, 'ERR_VALIDATION'],
  ['duplicate capability', json({ roomId: 'chat-1', capabilities: ['publish', 'publish'] }), 'application/json', 400, 'ERR_VALIDATION'],
  ['empty capabilities', json({ roomId: 'chat-1', capabilities: [] }), 'application/json', 400, 'ERR_VALIDATION'],
  ['capabilities a string', json({ roomId: 'chat-1', capabilities: 'publish' }), 'application/json', 400, 'ERR_VALIDATION'],
  ['unknown property', json({ roomId: 'chat-1', admin: true }), 'application/json', 400, 'ERR_VALIDATION'],
  ['body an array', json([{ roomId: 'chat-1' }]), 'application/json', 400, 'ERR_VALIDATION'],
  ['body a string', json('chat-1'), 'application/json', 400, 'ERR_VALIDATION'],
  ['body null', 'null', 'application/json', 400, 'ERR_VALIDATION'],
  ['invalid JSON', '{"roomId": "chat-1",', 'application/json', 400, 'ERR_INVALID_JSON'],
  ['JSON with single quotes', "{'roomId': 'chat-1'}", 'application/json', 400, 'ERR_INVALID_JSON'],
  // Valid JSON, refused for what it carries: said so, not "not valid JSON".
  ['prototype pollution', '{"roomId":"chat-1","__proto__":{"admin":true}}', 'application/json', 400, 'ERR_VALIDATION'],
  ['constructor.prototype', '{"roomId":"chat-1","constructor":{"prototype":{"admin":true}}}', 'application/json', 400, 'ERR_VALIDATION'],
  ['nested deeper than 64 levels', `{"roomId":"chat-1","x":${'['.repeat(65)}${']'.repeat(65)}}`, 'application/json', 400, 'ERR_VALIDATION'],
  ['empty body', '', 'application/json', 400, 'ERR_INVALID_JSON'],
  ['1 MB body', json({ roomId: 'chat-1', pad: 'x'.repeat(1024 * 1024) }), 'application/json', 413, 'ERR_BODY_TOO_LARGE'],
  ['just over 4 KB', json({ roomId: 'chat-1', pad: 'x'.repeat(4096) }), 'application/json', 413, 'ERR_BODY_TOO_LARGE'],
  ['text/plain', json({ roomId: 'chat-1' }), 'text/plain', 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
  ['form encoded', 'roomId=chat-1', 'application/x-www-form-urlencoded', 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
  ['no content type', json({ roomId: 'chat-1' }), undefined, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
];

describe('bad requests to POST /v1/tokens', () => {
  it.each(cases)('%s → %i %s', async (_name, payload, contentType, status, code) => {
    const { app } = testApp(key);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { 'x-api-key': CHAT_KEY, ...(contentType && { 'content-type': contentType }) },
      payload,
    });
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    expect(body.error.message.length).toBeLessThan(300);
  });

  it('a body refused for a __proto__ key says so instead of calling valid JSON invalid', async () => {
    const { app } = testApp(key);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { 'x-api-key': CHAT_KEY, 'content-type': 'application/json' },
      payload: '{"roomId":"chat-1","__proto__":{"admin":true}}',
    });
    expect(res.json().error.message).toBe('request body has a "__proto__" or "constructor.prototype" member, which is refused (prototype pollution)');
  });

  it('a validation message names the field', async () => {
    const { app } = testApp(key);
    const message = async (payload: unknown) =>
      (await app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'x-api-key': CHAT_KEY }, payload: payload as object })).json().error.message;
    expect(await message({})).toBe('body.roomId is required');
    expect(await message({ roomId: 'a#b' })).toMatch(/^body\.roomId must match pattern/);
    expect(await message({ roomId: 'chat-1', ttlSeconds: 9999 })).toBe('body.ttlSeconds must be <= 3600');
    expect(await message({ roomId: 'chat-1', extra: 1 })).toBe('body.extra is not allowed');
    expect(await message({ roomId: 'chat-1', capabilities: ['admin'] })).toMatch(/^body\.capabilities\.0 must be equal to one of/);
  });

  it('application/json with a charset is accepted', async () => {
    const { app } = testApp(key);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { 'x-api-key': CHAT_KEY, 'content-type': 'application/json; charset=utf-8' },
      payload: json({ roomId: 'chat-1' }),
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/v1/tokens', 405, 'ERR_METHOD_NOT_ALLOWED', 'POST'],
    ['DELETE', '/v1/tokens', 405, 'ERR_METHOD_NOT_ALLOWED', 'POST'],
    ['POST', '/.well-known/jwks.json', 405, 'ERR_METHOD_NOT_ALLOWED', 'GET, HEAD'],
    ['PUT', '/healthz', 405, 'ERR_METHOD_NOT_ALLOWED', 'GET, HEAD'],
    ['GET', '/v1/token', 404, 'ERR_NOT_FOUND', undefined],
    ['GET', '/', 404, 'ERR_NOT_FOUND', undefined],
    ['POST', '/v2/tokens', 404, 'ERR_NOT_FOUND', undefined],
  ])('%s %s → %i %s', async (method, url, status, code, allow) => {
    const { app } = testApp(key);
    const res = await app.inject({ method: method as 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(res.headers.allow).toBe(allow);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('serves the public keys with cache headers', async () => {
    const { app } = testApp(key);
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.json()).toEqual({ keys: [key.jwk] });
  });

  it('never serialises private members, even if the secret held them', async () => {
    const { app, keys } = testApp(key);
    keys.getJwks = async () => ({ keys: [{ ...key.jwk, d: 'PRIVATE' } as typeof key.jwk] });
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.body).not.toContain('PRIVATE');
  });

  it('503 ERR_KEY_UNAVAILABLE, not cacheable, while the keys cannot be read', async () => {
    const { app, keys } = testApp(key);
    keys.fail = true;
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json().error.code).toBe('ERR_KEY_UNAVAILABLE');
  });
});

describe('GET /healthz', () => {
  it('answers without touching the keys', async () => {
    const { app, keys } = testApp(key);
    keys.fail = true;
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});
