import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/index.ts';
import { API_KEY, startFakeTokenApi } from '../helpers/fake-token-api.ts';

let tokenApi: Awaited<ReturnType<typeof startFakeTokenApi>>;
let demo: DemoServer;

beforeAll(async () => {
  tokenApi = await startFakeTokenApi({ socketUrl: 'ws://127.0.0.1:4200/' });
  demo = await startDemoServer({ tokenApiUrl: tokenApi.url, apiKey: API_KEY, port: 0 });
});
afterAll(async () => {
  await demo?.close();
  await tokenApi?.close();
});
beforeEach(() => {
  tokenApi.respondWith(undefined);
  tokenApi.requests.length = 0;
});

const postToken = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(new URL('/api/token', demo.url), { method: 'POST', headers, body });

describe('the page', () => {
  it('serves the HTML with the test ids the browser test relies on', async () => {
    const response = await fetch(demo.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    for (const id of ['room', 'user', 'join', 'state', 'messages', 'input', 'send']) expect(html).toContain(`data-testid="${id}"`);
  });

  it('serves the bundled script and the stylesheet', async () => {
    const script = await fetch(new URL('/app.js', demo.url));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await script.text();
    expect(code).toContain('roomgate.token.'); // @roomgate/client is bundled in
    expect(code).not.toMatch(/^import /m); // one self-contained file
    const css = await fetch(new URL('/styles.css', demo.url));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 with a code for anything else', async () => {
    const response = await fetch(new URL('/nope', demo.url));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'ERR_NOT_FOUND', message: 'nothing at /nope' } });
  });
});

describe('the HTTP edges (Fastify)', () => {
  it('answers HEAD for a page file with its headers and no body', async () => {
    const response = await fetch(new URL('/app.js', demo.url), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it('answers 405 to a POST to a page file, with the security headers on the error too', async () => {
    const response = await fetch(new URL('/styles.css', demo.url), { method: 'POST' });
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ error: { code: 'ERR_METHOD_NOT_ALLOWED', message: 'use GET' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers /healthz', async () => {
    const response = await fetch(new URL('/healthz', demo.url));
    expect(await response.json()).toEqual({ ok: true });
  });

  it('refuses a body-less POST without a Content-Type as 415, without calling the token API', async () => {
    const response = await fetch(new URL('/api/token', demo.url), { method: 'POST' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'ERR_UNSUPPORTED_MEDIA_TYPE' } });
    expect(tokenApi.requests).toHaveLength(0);
  });
});

describe('POST /api/token', () => {
  it('asks the token API with the API key and returns only what the browser needs', async () => {
    const response = await postToken(JSON.stringify({ roomId: 'lobby', userId: 'alice' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      token: expect.stringMatching(/^fake\./),
      socketUrl: 'ws://127.0.0.1:4200/',
      expiresAt: expect.stringMatching(/Z$/),
      expiresIn: 300,
    });
    expect(text).not.toContain(API_KEY);
    expect(JSON.stringify(Object.fromEntries(response.headers as unknown as Iterable<[string, string]>))).not.toContain(API_KEY);

    expect(tokenApi.requests).toHaveLength(1);
    expect(tokenApi.requests[0]).toMatchObject({ method: 'POST', url: '/v1/tokens', body: { roomId: 'lobby', userId: 'alice' } });
    expect(tokenApi.requests[0]?.headers['x-api-key']).toBe(API_KEY);
  });

  it.each([
    [403, 'ERR_ROOM_FORBIDDEN', 'this caller may not issue tokens for room "vip"'],
    [401, 'ERR_UNAUTHENTICATED', 'unknown API key'],
    [400, 'ERR_VALIDATION', 'body/roomId must match pattern'],
    [503, 'ERR_KEY_UNAVAILABLE', 'keys are temporarily unavailable; retry shortly'],
  ])('passes a token API %i through with its code (%s)', async (status, code, message) => {
    tokenApi.respondWith(() => ({ status, body: { error: { code, message } } }));
    const response = await postToken(JSON.stringify({ roomId: 'vip', userId: 'alice' }));
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message } });
  });

  it.each([
    ['bad JSON', '{"roomId":', 'application/json', 400, 'ERR_INVALID_JSON'],
    ['no roomId', '{"userId":"alice"}', 'application/json', 400, 'ERR_VALIDATION'],
    ['a non-string userId', '{"roomId":"lobby","userId":7}', 'application/json', 400, 'ERR_VALIDATION'],
    ['a JSON array', '[]', 'application/json', 400, 'ERR_VALIDATION'],
    ['a form body', 'roomId=lobby', 'application/x-www-form-urlencoded', 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', JSON.stringify({ roomId: 'x'.repeat(5000) }), 'application/json', 413, 'ERR_BODY_TOO_LARGE'],
  ])('refuses %s without calling the token API', async (_case, body, contentType, status, code) => {
    const response = await postToken(body, { 'content-type': contentType });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(tokenApi.requests).toHaveLength(0);
  });

  it('answers 405 to GET', async () => {
    const response = await fetch(new URL('/api/token', demo.url));
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ error: { code: 'ERR_METHOD_NOT_ALLOWED' } });
  });

  it('answers 502 with a code when the token API cannot be reached', async () => {
    const unreachable = await startDemoServer({ tokenApiUrl: 'http://127.0.0.1:9', apiKey: API_KEY, port: 0 });
    try {
      const response = await fetch(new URL('/api/token', unreachable.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"roomId":"lobby"}',
      });
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: { code: 'ERR_TOKEN_API_UNAVAILABLE' } });
    } finally {
      await unreachable.close();
    }
  });

  it('answers 502 when the token API sends something that is not a grant', async () => {
    tokenApi.respondWith(() => ({ status: 201, body: { hello: 'world' } }));
    const response = await postToken('{"roomId":"lobby"}');
    expect(response.status).toBe(502);
  });
});

/** POST /api/token with exactly these Host and Origin headers (fetch would set Host itself). */
function postWith(headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: demo.port, method: 'POST', path: '/api/token', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify({ roomId: 'lobby', userId: 'alice' }));
  });
}

describe('POST /api/token only for the demo page on loopback', () => {
  it.each([
    ['Host 127.0.0.1:<port>, no Origin (curl)', () => ({ host: `127.0.0.1:${demo.port}` })],
    ['Host localhost:<port>, its own Origin', () => ({ host: `localhost:${demo.port}`, origin: `http://localhost:${demo.port}` })],
    ['Host [::1]:<port>, its own Origin', () => ({ host: `[::1]:${demo.port}`, origin: `http://[::1]:${demo.port}` })],
  ])('serves %s', async (_name, headers) => {
    expect((await postWith(headers())).status).toBe(200);
  });

  it.each([
    [
      'DNS rebinding: a foreign name resolved to 127.0.0.1, same-origin as far as the browser knows',
      () => ({ host: `rebind.evil.example:${demo.port}`, origin: `http://rebind.evil.example:${demo.port}` }),
    ],
    ['a foreign Host without Origin', () => ({ host: 'evil.example' })],
    ['a loopback-looking suffix', () => ({ host: `127.0.0.1.evil.example:${demo.port}` })],
    ['a page on another site (Origin elsewhere)', () => ({ host: `127.0.0.1:${demo.port}`, origin: 'https://evil.example' })],
    ['another local port', () => ({ host: `127.0.0.1:${demo.port}`, origin: 'http://127.0.0.1:1' })],
    ['an opaque origin (sandboxed iframe, file:)', () => ({ host: `127.0.0.1:${demo.port}`, origin: 'null' })],
  ])('403 ERR_ORIGIN_FORBIDDEN: %s, and the token API is not asked', async (_name, headers) => {
    const response = await postWith(headers());
    expect(response).toEqual({ status: 403, body: { error: { code: 'ERR_ORIGIN_FORBIDDEN', message: expect.any(String) } } });
    expect(tokenApi.requests).toEqual([]);
  });
});

describe('startDemoServer', () => {
  it('rejects with ERR_PORT_IN_USE naming the port', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      await expect(startDemoServer({ tokenApiUrl: tokenApi.url, apiKey: API_KEY, port })).rejects.toMatchObject({
        code: 'ERR_PORT_IN_USE',
        message: expect.stringContaining(String(port)),
      });
    } finally {
      squatter.close();
    }
  });

  it('closes promptly even with a keep-alive connection open', async () => {
    const server = await startDemoServer({ tokenApiUrl: tokenApi.url, apiKey: API_KEY, port: 0 });
    await fetch(server.url, { headers: { connection: 'keep-alive' } });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
