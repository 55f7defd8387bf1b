import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@roomgate/shared/runtime';
import { DemoError, errorBody } from './errors.ts';
import type { PageAssets } from './page-bundle.ts';
import { assertSameOriginLoopback } from './request-origin.ts';
import type { TokenProxyResult, TokenRequest } from './token-proxy.ts';

export interface DemoAppDeps {
  assets: PageAssets;
  requestToken: (input: TokenRequest) => Promise<TokenProxyResult>;
  logger: Logger;
}

/** Room and user ids are checked by the token API; this only keeps garbage from reaching it. */
const MAX_BODY_BYTES = 4 * 1024;

const SECURITY_HEADERS = {
  // The page talks to its own origin for tokens and to the socket service over ws(s).
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The demo backend: the page's files, `POST /api/token`, `GET /healthz`. */
export function createDemoApp(deps: DemoAppDeps) {
  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://demo.invalid').pathname;
    try {
      if (path === '/api/token') {
        if (request.method !== 'POST') throw new DemoError('ERR_METHOD_NOT_ALLOWED', 'use POST', { status: 405 });
        // Before the body is read: a foreign page or a rebound DNS name gets nothing minted.
        assertSameOriginLoopback(request);
        const input = parseTokenRequest(await readJsonBody(request));
        const result = await deps.requestToken(input);
        return sendJson(response, result.status, result.body);
      }
      if (path === '/healthz') return sendJson(response, 200, { ok: true });
      const asset = deps.assets.get(path === '/' ? '/index.html' : path);
      if (!asset) throw new DemoError('ERR_NOT_FOUND', `nothing at ${path}`, { status: 404 });
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new DemoError('ERR_METHOD_NOT_ALLOWED', 'use GET', { status: 405 });
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.byteLength, 'cache-control': 'no-cache' });
      response.end(request.method === 'HEAD' ? undefined : asset.body);
    } catch (error) {
      if (error instanceof DemoError && error.status < 500) return sendJson(response, error.status, errorBody(error.code, error.message));
      deps.logger.error('request failed', { path, error: (error as Error).message });
      sendJson(response, 500, errorBody('ERR_INTERNAL', 'internal error'));
    }
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new DemoError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', { status: 415 });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) throw new DemoError('ERR_BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`, { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DemoError('ERR_INVALID_JSON', 'request body is not valid JSON', { status: 400 });
  }
}

function parseTokenRequest(body: unknown): TokenRequest {
  const { roomId, userId } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof roomId !== 'string' || roomId === '') throw new DemoError('ERR_VALIDATION', 'roomId must be a non-empty string', { status: 400 });
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    throw new DemoError('ERR_VALIDATION', 'userId must be a non-empty string when given', { status: 400 });
  }
  return userId === undefined ? { roomId } : { roomId, userId };
}
