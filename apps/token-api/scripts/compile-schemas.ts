// Compiles every route schema of both functions at build time: `pnpm --filter @roomgate/token-api
// compile-schemas`. `sls package` and `sls offline` run it before bundling (esbuild-plugins.cjs),
// `pnpm start` before listening; the Lambda bundles then compile nothing at cold start.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { StandaloneValidator } from '@fastify/ajv-compiler';
import { StandaloneSerializer } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '@roomgate/shared/runtime';
import type { IamCallerMap } from '../src/http/auth/iam-callers.ts';
import {
  schemaHash,
  serializerKey,
  serializerOptionsOf,
  validatorKey,
  validatorOptions,
  type CompiledEntry,
  type SchemaCompilers,
} from '../src/http/compiled-schemas.ts';
import { buildApp } from '../src/token/app.ts';
import { buildRoomsApp } from '../src/rooms/app.ts';

/** The generated modules, one per function: a function's bundle carries only its own routes' code. */
export const TARGETS = {
  token: fileURLToPath(new URL('../src/token/compiled-schemas.generated.cjs', import.meta.url)),
  rooms: fileURLToPath(new URL('../src/rooms/compiled-schemas.generated.cjs', import.meta.url)),
} as const;

// Routes are the same whatever the configuration (no schema depends on it); these values only
// let the apps be built. Nothing here is called: compiling happens at `ready()`, before any request.
const unused = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('not available while compiling schemas');
    },
  },
) as never;
const iamCallers: IamCallerMap = new Map();
const builders: Record<keyof typeof TARGETS, (schemaCompilers: SchemaCompilers) => FastifyInstance> = {
  token: (schemaCompilers) =>
    buildApp({
      config: {
        issuer: 'roomgate',
        audience: 'roomgate-socket',
        defaultTtlSeconds: 300,
        maxTtlSeconds: 3600,
        socketUrl: 'wss://example.invalid',
        tokenInQuery: false,
        iamCallers,
        jwksMaxAgeSeconds: 300,
        logLevel: 'silent',
      },
      keys: unused,
      schemaCompilers,
    }),
  rooms: (schemaCompilers) =>
    buildRoomsApp({
      config: { iamCallers, maxMessageBytes: 32_768, maxTokenLifetimeSeconds: 3600, clockToleranceSeconds: 5, logLevel: 'silent' },
      store: unused,
      access: unused,
      broadcaster: unused,
      management: unused,
      idempotency: unused,
      cursors: unused,
      // Fastify writes through it from the start (http/fastify-logger.ts).
      logger: silentLogger,
      schemaCompilers,
    }),
};

const require = createRequire(import.meta.url);
const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;

/**
 * The source of one function's generated module (`CompiledSchemaModule`): its app is built with
 * ajv's and fast-json-stringify's standalone writers, and each schema's code is stored under its
 * route key with the hash `precompiledCompilers` checks at run time.
 */
export async function generate(target: keyof typeof TARGETS): Promise<string> {
  const code: string[] = [];
  const entry = (text: string, hash: string): CompiledEntry => {
    const found = code.indexOf(text);
    return { hash, code: found >= 0 ? found : code.push(text) - 1 };
  };
  const validators: Record<string, CompiledEntry> = {};
  const serializers: Record<string, CompiledEntry> = {};
  const compilers: SchemaCompilers = {
    buildValidator: (externalSchemas, ajvOptions) => {
      // Hashed before the writer adds its `code.source` option to ajvOptions.
      const options = validatorOptions(ajvOptions);
      let stored: { key: string; hash: string } | undefined;
      const writer = StandaloneValidator({
        readMode: false,
        storeFunction: (_route, text) => {
          if (stored) validators[stored.key] = entry(text, stored.hash);
        },
      })(externalSchemas as never, ajvOptions as never);
      return (route) => {
        stored = { key: validatorKey(route), hash: schemaHash(route.schema, options, externalSchemas) };
        return writer(route as never);
      };
    },
    buildSerializer: (externalSchemas, serializerOptions) => {
      const options = serializerOptionsOf(serializerOptions);
      let stored: { key: string; hash: string } | undefined;
      const writer = StandaloneSerializer({
        readMode: false,
        storeFunction: (_route, text) => {
          if (stored) serializers[stored.key] = entry(text, stored.hash);
        },
      })(externalSchemas as never, serializerOptions as never);
      return (route) => {
        stored = { key: serializerKey(route), hash: schemaHash(route.schema, options, externalSchemas) };
        return writer(route as never);
      };
    },
  };
  const app = builders[target](compilers);
  await app.ready();
  await app.close();

  const sorted = (record: Record<string, CompiledEntry>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return [
    `// Generated by apps/token-api/scripts/compile-schemas.ts from the ${target} function's route schemas`,
    `// (ajv ${version('ajv')}, fast-json-stringify ${version('fast-json-stringify')}). Do not edit: run`,
    '// `pnpm --filter @roomgate/token-api compile-schemas`. A schema changed without regenerating fails',
    "// the app's ready() (StaleCompiledSchemaError); sls package and sls offline regenerate it first.",
    "'use strict';",
    `exports.validators = ${JSON.stringify(sorted(validators), null, 2)};`,
    `exports.serializers = ${JSON.stringify(sorted(serializers), null, 2)};`,
    'exports.code = [',
    ...code.map(
      (text) => `  function () {\n    const module = { exports: {} };\n    const exports = module.exports;\n${text}\n    return module.exports;\n  },`,
    ),
    '];',
    '',
  ].join('\n');
}

const DECLARATION = [
  '// Generated beside compiled-schemas.generated.cjs by apps/token-api/scripts/compile-schemas.ts.',
  "declare const compiled: import('../http/compiled-schemas.ts').CompiledSchemaModule;",
  'export = compiled;',
  '',
].join('\n');

/** Writes both generated modules (and their declarations) where they differ; returns the paths written. */
export async function writeAll(): Promise<string[]> {
  const written: string[] = [];
  for (const target of Object.keys(TARGETS) as Array<keyof typeof TARGETS>) {
    const files = { [TARGETS[target]]: await generate(target), [TARGETS[target].replace(/\.cjs$/, '.d.cts')]: DECLARATION };
    for (const [path, text] of Object.entries(files)) {
      let current: string | undefined;
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        current = undefined;
      }
      if (current === text) continue;
      writeFileSync(path, text);
      written.push(path);
    }
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await writeAll();
  process.stderr.write(written.length > 0 ? `compile-schemas: wrote ${written.join(', ')}\n` : 'compile-schemas: up to date\n');
}
