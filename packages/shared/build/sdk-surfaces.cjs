// esbuild plugin shared by both services' bundles (apps/*/esbuild-plugins.cjs, serverless-esbuild
// `plugins`), also used by `pnpm bench` (cold-start section), which builds with the same plugins.
'use strict';
const { existsSync } = require('node:fs');
const { join, sep } = require('node:path');

const SURFACES = join(__dirname, '..', 'src', 'runtime', 'sdk-surfaces');

/**
 * Keeps only the names roomgate uses of the AWS SDK packages it loads on first use.
 *
 * Those packages are loaded by a dynamic `import('@aws-sdk/client-…')` (runtime/lazy-client.ts), and
 * esbuild keeps every export of a module reached by a dynamic import: bundled, the Rooms function
 * carried all of `@aws-sdk/client-lambda` (131 KB minified) to send one `Invoke`. With the SDK
 * bundled, this plugin resolves such an import, made from roomgate's own code, to
 * `packages/shared/src/runtime/sdk-surfaces/<package>.ts`, which re-exports the names used, so
 * esbuild tree-shakes the rest. The loaders are typed to the same file, so code cannot use a name it
 * does not list. With the SDK external (the bench's "SDK external" rows), the import is left
 * alone: a re-export module's static import of an external package would be hoisted to the bundle's
 * top and load the package at cold start.
 */
const sdkSurfaces = {
  name: 'roomgate-sdk-surfaces',
  setup(build) {
    const external = build.initialOptions.external ?? [];
    if (external.some((pattern) => pattern === '@aws-sdk/*' || pattern.startsWith('@aws-sdk/client-'))) return;
    build.onResolve({ filter: /^@aws-sdk\/client-[a-z0-9-]+$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
      const surface = join(SURFACES, `${args.path.slice('@aws-sdk/'.length)}.ts`);
      if (!existsSync(surface)) {
        return { errors: [{ text: `${args.path} is imported on first use but has no SDK surface: add ${surface} (packages/shared/build/sdk-surfaces.cjs)` }] };
      }
      return { path: surface };
    });
  },
};

module.exports = { sdkSurfaces };
