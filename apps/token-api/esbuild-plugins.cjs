// esbuild plugins for both functions' bundles: serverless-esbuild's `plugins` (sls package, sls
// offline, pnpm dev) and the bench's cold-start builds (packages/bench, section cold-start).
'use strict';
const { execFile } = require('node:child_process');
const { join } = require('node:path');

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

module.exports = [compileSchemas, withoutRuntimeSchemaCompilers];
