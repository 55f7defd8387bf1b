import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { countThrottle, describeError, type Metrics } from '@roomgate/shared/runtime';
import fp from 'fastify-plugin';
import { toHttpError, type ErrorBody, type HttpError } from './http-errors.ts';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface ErrorHandlingOptions {
  /** The app's default body limit, bytes, named in a 413's message when the route sets none. */
  bodyLimit: number;
  /**
   * The app's own errors that `toHttpError` does not know (the token function's presign errors);
   * undefined: not one of them.
   */
  appErrors?: ((error: unknown) => HttpError | undefined) | undefined;
  /** Counts `Throttles` when an AWS dependency's throttling is behind a 5xx. */
  metrics?: Metrics | undefined;
}

/**
 * Every error leaves as `{error: {code, message}}`: thrown errors through `toHttpError`, unknown
 * routes as 404 ERR_NOT_FOUND, a known path with the wrong method as 405 ERR_METHOD_NOT_ALLOWED
 * with an `Allow` header. Not encapsulated, so it covers every route of the app that registers it.
 */
export const errorHandling = fp<ErrorHandlingOptions>(
  async (app, { bodyLimit, appErrors, metrics }) => {
    app.setErrorHandler((error, request, reply) => {
      // The route's own limit when it has one (the Rooms API's publish route does).
      const http = appErrors?.(error) ?? toHttpError(error, { bodyLimit: request.routeOptions.bodyLimit ?? bodyLimit });
      if (http.status >= 500) {
        // Key loads count their own throttles where they fail (countLoadFailure), once per load.
        countThrottle(metrics, error);
        request.log.error({ error: error instanceof Error ? describeError(error) : String(error), code: http.code }, 'request failed');
      } else {
        request.log.info({ code: http.code }, 'request refused');
      }
      if (http.status === 401) void reply.header('www-authenticate', 'Bearer realm="roomgate"');
      return send(reply, http.status, http.code, http.message);
    });

    app.setNotFoundHandler((request, reply) => {
      const allowed = allowedMethods(app, request);
      if (allowed.length > 0) {
        void reply.header('allow', allowed.join(', '));
        return send(reply, 405, 'ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allowed.join(' or ')}`);
      }
      return send(reply, 404, 'ERR_NOT_FOUND', 'no such route');
    });
  },
  // No `fastify` version range: see `authentication.ts`.
  { name: 'roomgate-error-handling' },
);

/**
 * The `frameworkErrors` option of `Fastify()`: errors its router raises before any hook or error
 * handler runs (a path that is not valid percent-encoding, an over-long path parameter). Without
 * it Fastify answers with its own body, which names its internal `FST_ERR_*` code and echoes the
 * path, instead of `{error: {code, message}}`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const http = toHttpError(error, { bodyLimit: 0 });
  request.log.info({ code: http.code, frameworkCode: error.code }, 'request refused');
  void send(reply, http.status, http.code, http.message);
}

function send(reply: FastifyReply, status: number, code: ErrorBody['error']['code'], message: string): FastifyReply {
  const body: ErrorBody = { error: { code, message } };
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
}

function allowedMethods(app: FastifyInstance, request: FastifyRequest): HTTPMethods[] {
  const url = request.url.split('?', 1)[0] ?? '/';
  return METHODS.filter((method) => {
    // `hasRoute` reads the path as a route pattern and throws on some (`/*]`: "Wildcard must be
    // the last character"); a request path that is not a route pattern names no route.
    try {
      return app.hasRoute({ method, url });
    } catch {
      return false;
    }
  });
}
