// esbuild plugins for both functions' bundles: serverless-esbuild's `plugins` (sls package, sls
// offline, pnpm dev) and the bench's cold-start builds (packages/bench, section cold-start).
'use strict';
const { execFile } = require('node:child_process');
const { join } = require('node:path');
const { sdkSurfaces } = require('../../packages/shared/build/sdk-surfaces.cjs');

const SERVICE_DIR = __dirname;

/**
 * Regenerates the build-time schema code (scripts/compile-schemas.ts) before every build, so a
 * bundle never carries code compiled from an older schema. Concurrent builds (one per function)
 * share one run.
 */
let running;
const compileSchemas = {
  name: 'roomgate-compile-schemas',
  setup(build) {
    build.onStart(() => {
      running ??= new Promise((resolve) => {
        execFile(
          process.execPath,
          [require.resolve('tsx/cli', { paths: [SERVICE_DIR] }), join(SERVICE_DIR, 'scripts', 'compile-schemas.ts')],
          { cwd: SERVICE_DIR },
          (error, _stdout, stderr) => {
            running = undefined;
            resolve(error ? { errors: [{ text: `compile-schemas failed: ${stderr || error.message}` }] } : {});
          },
        );
      });
      return running;
    });
  },
};

/**
 * Leaves Fastify's run-time schema compilers (ajv, fast-json-stringify: ~250 KB with their
 * dependencies) out of the bundle. Both apps hand Fastify their precompiled code
 * (src/http/compiled-schemas.ts), so Fastify never loads them; if it ever did, the stub fails
 * app.ready() instead of compiling during a cold start.
 */
const withoutRuntimeSchemaCompilers = {
  name: 'roomgate-without-runtime-schema-compilers',
  setup(build) {
    build.onResolve({ filter: /^@fastify\/(ajv-compiler|fast-json-stringify-compiler)$/ }, (args) => ({ path: args.path, namespace: 'roomgate-no-compiler' }));
    build.onLoad({ filter: /.*/, namespace: 'roomgate-no-compiler' }, (args) => ({
      contents: `module.exports = function () { throw new Error(${JSON.stringify(`${args.path} is not in this bundle: route schemas are compiled at build time (apps/token-api/scripts/compile-schemas.ts)`)}); };`,
      loader: 'js',
    }));
  },
};

/**
 * Leaves pino (and thread-stream, sonic-boom, safe-stable-stringify, @pinojs/redact: 65 KB
 * minified) out of the bundle. Both apps give Fastify a `loggerInstance` over the
 * function's own Powertools logger (src/http/fastify-logger.ts), so Fastify only reads two names
 * from pino (fastify/lib/logger-pino.js): `symbols.serializersSym`, to look for a pino
 * instance's serializers on ours (it finds none), and `stdSerializers.err`, which it hands to our
 * `child()`, which ignores serializers. Calling pino itself (a Fastify `logger` option instead of
 * `loggerInstance`) throws at `buildApp` instead of logging in another shape.
 */
const withoutPino = {
  name: 'roomgate-without-pino',
  setup(build) {
    build.onResolve({ filter: /^pino$/ }, (args) => ({ path: args.path, namespace: 'roomgate-no-pino' }));
    build.onLoad({ filter: /.*/, namespace: 'roomgate-no-pino' }, () => ({
      contents: [
        'function pino() { throw new Error("pino is not in this bundle: Fastify logs through loggerInstance (apps/token-api/src/http/fastify-logger.ts)"); }',
        "pino.symbols = { serializersSym: Symbol('pino.serializers') };",
        'pino.stdSerializers = { err: (error) => error };',
        'pino.destination = pino;',
        'module.exports = pino;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

module.exports = [compileSchemas, withoutRuntimeSchemaCompilers, withoutPino, sdkSurfaces];
