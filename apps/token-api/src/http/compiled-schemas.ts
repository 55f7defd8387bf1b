import { createHash } from 'node:crypto';
import { RoomgateError } from '@roomgate/shared/errors';

/**
 * Fastify's `schemaController.compilersFactory`, typed by what Fastify passes at run time: per
 * app, `(externalSchemas, options)` returns the function Fastify calls once per route schema.
 * (Fastify's own types for it are a union across ajv and JTD that no single function satisfies.)
 */
export interface SchemaCompilers {
  buildValidator: (externalSchemas: unknown, ajvOptions: unknown) => (route: ValidatorRoute) => unknown;
  buildSerializer: (externalSchemas: unknown, serializerOptions: unknown) => (route: SerializerRoute) => unknown;
}

/** One compiled function in a generated module: the hash of what it was compiled from, and its code as a module. */
export interface CompiledEntry {
  /** `schemaHash` of the schema and compiler options the code was generated from. */
  hash: string;
  /** Index into `CompiledSchemaModule.code`. */
  code: number;
}

/**
 * What `scripts/compile-schemas.ts` writes (`src/{token,rooms}/compiled-schemas.generated.cjs`):
 * every route schema of one function, compiled by ajv (standalone code) and fast-json-stringify
 * (standalone mode) at build time, so the function's cold start compiles nothing. Keys are
 * `validatorKey` / `serializerKey`; identical code is stored once.
 */
export interface CompiledSchemaModule {
  validators: Record<string, CompiledEntry>;
  serializers: Record<string, CompiledEntry>;
  /** Each element returns the `module.exports` of one generated CommonJS module body. */
  code: Array<() => unknown>;
}

/** What Fastify passes when it compiles one route schema for validation. */
export interface ValidatorRoute {
  schema: unknown;
  method: string;
  url: string;
  httpPart: string;
}

/** What Fastify passes when it compiles one response schema. */
export interface SerializerRoute {
  schema: unknown;
  method: string;
  url: string;
  httpStatus: string;
  contentType?: string | undefined;
}

export const validatorKey = (route: ValidatorRoute): string => `${route.method} ${route.url} ${route.httpPart}`;
export const serializerKey = (route: SerializerRoute): string =>
  `${route.method} ${route.url} ${route.httpStatus}${route.contentType ? ` ${route.contentType}` : ''}`;

/**
 * sha256 (hex) of a schema together with everything else that shapes its compiled code: the
 * compiler options (ajv's `customOptions`: coercion, defaults) and the app's shared schemas.
 */
export function schemaHash(schema: unknown, options: unknown, externalSchemas: unknown): string {
  return createHash('sha256').update(JSON.stringify({ schema, options, externalSchemas })).digest('hex');
}

/**
 * Thrown at `app.ready()` when a route's schema has no compiled code, or code compiled from another
 * schema: a build fault (ERR_INTERNAL), so the function fails its init instead of serving.
 */
export class StaleCompiledSchemaError extends RoomgateError {
  constructor(kind: 'validator' | 'serializer', key: string, reason: 'missing' | 'changed') {
    super(
      'ERR_INTERNAL',
      `the precompiled ${kind} for ${key} is ${reason === 'missing' ? 'missing' : 'stale (its schema changed)'}; ` +
        'run `pnpm --filter @roomgate/token-api compile-schemas` (sls package and sls offline do this themselves)',
    );
  }
}

/**
 * Fastify compilers that look up build-time code instead of compiling: no ajv or
 * fast-json-stringify compilation at `app.ready()`, i.e. none during a Lambda cold start. Each
 * lookup checks the schema's hash, so code generated from another version of a schema never runs:
 * `ready()` throws `StaleCompiledSchemaError` instead (tests and `pnpm dev` fail at once).
 *
 * The code itself runs on first use: `ready()` gets a stand-in per schema, and a generated module
 * body (its regular expressions, its ajv or fast-json-stringify runtime) is evaluated when a request
 * first needs that validator or serializer. A cold start then evaluates only its own route's code,
 * not every route's and every declared error status's (docs/benchmarks.md, cold start, fourth pass).
 * Each distinct code is instantiated once and shared by the routes that use it (the error schemas).
 */
export function precompiledCompilers(compiled: CompiledSchemaModule): SchemaCompilers {
  const instances = new Map<number, unknown>();
  const instance = (index: number): unknown => {
    if (!instances.has(index)) instances.set(index, compiled.code[index]!());
    return instances.get(index);
  };
  const restore = (kind: 'validator' | 'serializer', entries: Record<string, CompiledEntry>, key: string, hash: string): number => {
    const entry = entries[key];
    if (!entry) throw new StaleCompiledSchemaError(kind, key, 'missing');
    if (entry.hash !== hash) throw new StaleCompiledSchemaError(kind, key, 'changed');
    return entry.code;
  };
  return {
    buildValidator: (externalSchemas, ajvOptions) => (route) =>
      onFirstUse(
        instance,
        restore('validator', compiled.validators, validatorKey(route), schemaHash(route.schema, validatorOptions(ajvOptions), externalSchemas)),
      ),
    buildSerializer: (externalSchemas, serializerOptions) => (route) =>
      onFirstUse(
        instance,
        restore('serializer', compiled.serializers, serializerKey(route), schemaHash(route.schema, serializerOptionsOf(serializerOptions), externalSchemas)),
      ),
  };
}

type CompiledFunction = ((this: unknown, ...args: unknown[]) => unknown) & { errors?: unknown };

/**
 * A stand-in for the compiled function at `index`, which it instantiates on its first call. ajv's
 * validators report failures on their own `errors` property, which Fastify reads from the function
 * it was given (lib/validation.js), so the stand-in passes that property through.
 */
function onFirstUse(instance: (index: number) => unknown, index: number): CompiledFunction {
  let compiled: CompiledFunction | undefined;
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    compiled ??= instance(index) as CompiledFunction;
    return compiled.apply(this, args);
  } as CompiledFunction;
  Object.defineProperty(standIn, 'errors', { get: () => compiled?.errors, enumerable: false });
  return standIn;
}

/** The part of Fastify's `ajv` option that shapes generated code (the write side adds `code.source`). */
export function validatorOptions(ajvOptions: unknown): unknown {
  const { customOptions = {}, plugins = [] } = (ajvOptions ?? {}) as { customOptions?: Record<string, unknown>; plugins?: unknown[] };
  const { code: _code, ...rest } = customOptions;
  return { customOptions: rest, plugins: plugins.length };
}

/** Fastify's `serializerOpts`, without the `mode` the standalone writer sets on it. */
export function serializerOptionsOf(serializerOptions: unknown): unknown {
  const { mode: _mode, ...rest } = (serializerOptions ?? {}) as Record<string, unknown>;
  return rest;
}
