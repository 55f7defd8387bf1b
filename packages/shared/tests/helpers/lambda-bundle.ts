import { build, type Format } from 'esbuild';

export interface LambdaBundleOptions {
  /** The service's deploy format (socket: `cjs`, token API: `esm`). */
  format: Format;
  /** Leave `@aws-sdk/*` to the Lambda runtime, as a deploy with the SDK external does. */
  sdkExternal?: boolean;
}

export interface LambdaBundle {
  /**
   * Files that contribute code to the bundle, relative to `serviceDir` (`src/rooms/app.ts`,
   * `../../packages/shared/src/…`). A module reached through a barrel that contributes no bytes —
   * the workspace packages declare `"sideEffects": false` — is not counted.
   */
  inputs: string[];
  /**
   * The `@aws-sdk/*` packages the bundle still imports at run time (with `sdkExternal`): each is
   * loaded at cold start, used or not, since esbuild cannot drop an import of a package it does not see.
   */
  sdkImports: string[];
  /** The `@aws-sdk/*` packages reached only through a dynamic `import()`: loaded on first use (runtime/lazy-client.ts), not at cold start. */
  lazySdkImports: string[];
}

/**
 * Bundles a Lambda entry the way serverless-esbuild packages it (same resolver, tree-shaking) and
 * reads the metafile; nothing is written. Used by the token API's and the socket service's tests
 * that pin what each function's bundle carries.
 */
export async function lambdaBundle(serviceDir: string, entry: string, options: LambdaBundleOptions): Promise<LambdaBundle> {
  const result = await build({
    absWorkingDir: serviceDir,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: options.format,
    target: 'node22',
    ...(options.sdkExternal ? { external: ['@aws-sdk/*'] } : {}),
    outdir: 'bundle.invalid',
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  const sdk = (output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/'));
  const packages = (imports: typeof sdk) => [...new Set(imports.map((i) => i.path))].sort();
  const loaded = packages(sdk.filter((i) => i.kind !== 'dynamic-import'));
  return {
    inputs: Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
    sdkImports: loaded,
    lazySdkImports: packages(sdk.filter((i) => i.kind === 'dynamic-import')).filter((path) => !loaded.includes(path)),
  };
}
