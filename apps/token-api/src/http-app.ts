import Fastify, { type FastifyInstance } from 'fastify';
import type { LogLevel } from './config.ts';
import { errorHandling, frameworkErrors } from './plugins/error-handling.ts';

export interface HttpAppOptions {
  logLevel: LogLevel;
  /** Default body limit; a route may set its own. */
  bodyLimit: number;
}

/**
 * A Fastify instance with the token API's HTTP conventions — JSON only, no type coercion, every
 * error as `{error: {code, message}}` — for apps other than `buildApp` (the Rooms API), so both
 * answer alike. Mirrors the options `buildApp` passes.
 */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    logger: { level: options.logLevel },
    requestIdHeader: 'x-request-id',
    frameworkErrors,
    // Room and user ids are up to 128 characters; Fastify's default (100) would refuse valid ones
    // with 414 before validation could name the problem.
    maxParamLength: 256,
    // A coerced `"limit": "10"` or a silently dropped unknown field hides a caller bug; 400 instead.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  app.removeContentTypeParser('text/plain');
  void app.register(errorHandling, { bodyLimit: options.bodyLimit });
  return app;
}
