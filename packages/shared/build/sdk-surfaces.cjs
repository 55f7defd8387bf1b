// esbuild plugin shared by both services' bundles (apps/*/esbuild-plugins.cjs, serverless-esbuild
// `plugins`), also used by `pnpm bench` (cold-start section), which builds with the same plugins.
'use strict';
const { existsSync } = require('node:fs');
const { join, sep } = require('node:path');

const SURFACES = join(__dirname, '..', 'src', 'runtime', 'sdk-surfaces');

/**
 * Keeps the AWS SDK packages roomgate loads on first use to the names it uses.
 *
 * Those packages are loaded by a dynamic `import('@aws-sdk/client-…')` (runtime/lazy-client.ts), and
 * esbuild keeps every export of a module reached by a dynamic import: the package's whole export
 * table and every module only that table reaches. With the SDK bundled, this plugin resolves such an
 * import, made from roomgate's own code, to `packages/shared/src/runtime/sdk-surfaces/<package>.ts`,
 * which re-exports the names used, so esbuild can drop the rest: ~30 KB minified per package
 * (client-lambda in the Rooms bundle: 131 → 100 KB). Not more, because each client's schema and
 * error registries run at load and its aggregated client imports every command
 * (tests/unit/runtime/sdk-surfaces.test.ts). The loaders are typed to the same files, so code cannot
 * use a name they do not list. With the SDK external (the bench's "SDK external" rows) the import is
 * left alone: a re-export module's static import of an external package would be hoisted to the
 * bundle's top and load the package at cold start.
 *
 * Fails the build when a lazily loaded `@aws-sdk/client-*` package has no surface file.
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
