import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '@roomgate/shared/runtime';
import { DemoError, errorBody, type DemoErrorCode } from './errors.ts';
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

/** Fastify's refusals of a body, in the demo's codes and words. */
const BODY_ERRORS: Record<string, { status: number; code: DemoErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'ERR_BODY_TOO_LARGE', message: `request body exceeds ${MAX_BODY_BYTES} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'ERR_INVALID_JSON', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'ERR_INVALID_JSON', message: 'request body is not valid JSON' },
};

/**
 * The demo backend: the page's files, `POST /api/token`, `GET /healthz`. The page is bundled in
 * memory at start (page-bundle.ts), so its three files are routes over that map rather than
 * `@fastify/static` over a folder. Every answer carries the security headers; every error is
 * `{error: {code, message}}` (the token API's shape, so the page handles one format).
 */
export function buildDemoApp(deps: DemoAppDeps): FastifyInstance {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    // Browsers keep connections alive; without this close() would wait for them to time out.
    forceCloseConnections: true,
  });
  // JSON only: a text body is 415, never a string handed to the handler.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (_request, reply) => {
    void reply.headers(SECURITY_HEADERS);
  });

  app.post(
    '/api/token',
    {
      // Before the body is read: a foreign page or a rebound DNS name gets nothing minted.
      onRequest: async (request) => assertSameOriginLoopback(request.raw),
      // A body-less POST, or one without a type, is not JSON either (Fastify would pass it on).
      preValidation: async (request) => {
        if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw unsupportedMediaType();
      },
    },
    async (request, reply) => {
      const result = await deps.requestToken(parseTokenRequest(request.body));
      return sendJson(reply, result.status, result.body);
    },
  );

  app.all('/healthz', async (_request, reply) => sendJson(reply, 200, { ok: true }));

  for (const [path, asset] of deps.assets) {
    // GET also answers HEAD (Fastify's exposeHeadRoutes): same headers, no body.
    app.get(path === '/index.html' ? '/' : path, async (_request, reply) => sendAsset(reply, asset));
    if (path === '/index.html') app.get(path, async (_request, reply) => sendAsset(reply, asset));
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = pathOf(request);
    if (path === '/api/token') throw new DemoError('ERR_METHOD_NOT_ALLOWED', 'use POST', { status: 405 });
    if (deps.assets.has(path === '/' ? '/index.html' : path)) throw new DemoError('ERR_METHOD_NOT_ALLOWED', 'use GET', { status: 405 });
    return sendJson(reply, 404, errorBody('ERR_NOT_FOUND', `nothing at ${path}`));
  });

  app.setErrorHandler(async (error: FastifyError | DemoError, request, reply) => {
    if (error instanceof DemoError && error.status < 500) return sendJson(reply, error.status, errorBody(error.code, error.message));
    const known = typeof error.code === 'string' ? BODY_ERRORS[error.code] : undefined;
    if (known) return sendJson(reply, known.status, errorBody(known.code, known.message));
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return sendJson(reply, status, errorBody('ERR_BAD_REQUEST', 'bad request'));
    deps.logger.error('request failed', { path: pathOf(request), error: error.message });
    return sendJson(reply, 500, errorBody('ERR_INTERNAL', 'internal error'));
  });

  return app;
}

const unsupportedMediaType = () => new DemoError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', { status: 415 });

const pathOf = (request: FastifyRequest): string => new URL(request.url, 'http://demo.invalid').pathname;

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
}

function sendAsset(reply: FastifyReply, asset: { contentType: string; body: Uint8Array }): FastifyReply {
  return reply
    .type(asset.contentType)
    .header('cache-control', 'no-cache')
    .send(Buffer.from(asset.body.buffer, asset.body.byteOffset, asset.body.byteLength));
}

function parseTokenRequest(body: unknown): TokenRequest {
  const { roomId, userId } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof roomId !== 'string' || roomId === '') throw new DemoError('ERR_VALIDATION', 'roomId must be a non-empty string', { status: 400 });
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    throw new DemoError('ERR_VALIDATION', 'userId must be a non-empty string when given', { status: 400 });
  }
  return userId === undefined ? { roomId } : { roomId, userId };
}
