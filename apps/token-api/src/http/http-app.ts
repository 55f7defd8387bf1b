import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createJsonLogger, type JsonLogger, type Metrics } from '@roomgate/shared/runtime';
import type { LogLevel } from './config.ts';
import { fastifyLogger } from './fastify-logger.ts';
import { useRequestLogContext } from './request-fields.ts';
import { useJsonBodyParser } from './json-body.ts';
import { errorHandling, frameworkErrors, type ErrorHandlingOptions } from './error-handling.ts';
import type { SchemaCompilers } from './compiled-schemas.ts';

/**
 * Fastify's `ajv` option for every app: also part of each precompiled validator's hash
 * (`compiled-schemas.ts`), so changing it makes the build-time code stale rather than wrong.
 */
export const AJV_OPTIONS = {
  customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
} as const;

export interface HttpAppOptions {
  logLevel: LogLevel;
  /**
   * The function's logger: Fastify writes through it (fastify-logger.ts), so every line of the
   * function has one shape. Default: a new one at `logLevel`.
   */
  logger?: JsonLogger | undefined;
  /** Counts `Throttles` behind 5xx answers (error-handling.ts). */
  metrics?: Metrics | undefined;
  /** Default body limit; a route may set its own. */
  bodyLimit: number;
  /** Errors of this app that the shared mapping does not know (see `ErrorHandlingOptions`). */
  appErrors?: ErrorHandlingOptions['appErrors'];
  /**
   * How route schemas become validators and serializers: the function's build-time code
   * (`precompiledCompilers`, what both Lambda apps use) or, when absent, Fastify's own ajv and
   * fast-json-stringify compiling at `ready()` (tests of the HTTP layer alone).
   */
  schemaCompilers?: SchemaCompilers | undefined;
}

/** Fastify's declared type for the compilers; `SchemaCompilers` says what it passes at run time. */
type FastifyCompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/**
 * A Fastify instance with the service's HTTP conventions — JSON only, no type coercion, every
 * error as `{error: {code, message}}`, JSON bodies nested at most 64 levels — used by both
 * functions' apps (`buildApp`, `buildRoomsApp`), so both answer alike.
 */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    loggerInstance: fastifyLogger(options.logger ?? createJsonLogger({ base: { service: 'roomgate-token-api' }, level: options.logLevel })),
    // One line per request that matters: routes log what they did (a token issued, a publish) and
    // the error handler each refusal or failure. Fastify's own "incoming request" / "request
    // completed" pair tripled the lines for no information (docs/benchmarks.md).
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    // Router errors (bad percent-encoding) in the same `{error: {code, message}}` shape.
    frameworkErrors,
    // Room and user ids are up to 128 characters; Fastify's default (100) would refuse valid ones
    // with 414 before validation could name the problem.
    routerOptions: { maxParamLength: 256 },
    // A coerced `"limit": "10"` or a silently dropped unknown field hides a caller bug; 400 instead.
    ajv: structuredClone(AJV_OPTIONS),
    ...(options.schemaCompilers && { schemaController: { compilersFactory: options.schemaCompilers as FastifyCompilersFactory } }),
  });
  // JSON only: without this, text/plain bodies reach the schema as strings instead of a 415.
  app.removeContentTypeParser('text/plain');
  useJsonBodyParser(app);
  useRequestLogContext(app);
  void app.register(errorHandling, { bodyLimit: options.bodyLimit, appErrors: options.appErrors, metrics: options.metrics });
  return app;
}
