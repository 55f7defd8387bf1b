import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const { sdkSurfaces } = createRequire(import.meta.url)('../../../build/sdk-surfaces.cjs') as { sdkSurfaces: NonNullable<BuildOptions['plugins']>[number] };
const work = mkdtempSync(join(tmpdir(), 'roomgate-sdk-surfaces-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The client-lambda files a bundle of the Lambda loader keeps, built as the services build (ES-module sources, SDK bundled). */
async function lambdaSdkFiles(options: { plugin: boolean; sdkExternal?: boolean }) {
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: ['src/runtime/lambda-client.ts'],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    target: 'node22',
    outdir: 'bundle.invalid',
    logLevel: 'silent',
    ...(options.sdkExternal && { external: ['@aws-sdk/*'] }),
    plugins: options.plugin ? [sdkSurfaces] : [],
  });
  const [output] = Object.values(result.metafile.outputs);
  return {
    /** Bytes in the output per file of the package, by path inside it. */
    bytes: Object.fromEntries(
      Object.entries(output!.inputs)
        .filter(([path, input]) => path.includes('@aws-sdk/client-lambda/') && input.bytesInOutput > 0)
        .map(([path, input]) => [path.replace(/.*@aws-sdk\/client-lambda\//, ''), input.bytesInOutput]),
    ),
    imports: output!.imports.filter((i) => i.path.startsWith('@aws-sdk/')),
  };
}

describe('SDK surfaces (packages/shared/build/sdk-surfaces.cjs)', () => {
  // What a dynamic import costs: esbuild keeps the package's whole export table (index.js, ~22 KB
  // minified for client-lambda) and every module only it reaches (enums.js). The commands stay
  // either way (the aggregated `Lambda` client imports them all), as do the schema and error
  // registries, which run at load; the surface saves ~30 KB per lazily loaded package.
  it("a bundle keeps the names used, not the package's export table", async () => {
    const { bytes } = await lambdaSdkFiles({ plugin: true });
    expect(Object.keys(bytes)).toEqual(expect.arrayContaining(['dist-es/LambdaClient.js', 'dist-es/commands/InvokeCommand.js']));
    expect(bytes['dist-es/index.js'] ?? 0).toBeLessThan(1024);
    expect(bytes['dist-es/models/enums.js'] ?? 0).toBeLessThan(1024);
  });

  it('without it, a dynamic import keeps the whole export table (what it exists for)', async () => {
    const { bytes } = await lambdaSdkFiles({ plugin: false });
    expect(bytes['dist-es/index.js']).toBeGreaterThan(10 * 1024);
    expect(bytes['dist-es/models/enums.js']).toBeGreaterThan(4 * 1024);
  });

  it('leaves the import alone when the SDK is external, so the package still loads on first use', async () => {
    const { bytes, imports } = await lambdaSdkFiles({ plugin: true, sdkExternal: true });
    expect(bytes).toEqual({});
    expect(imports).toEqual([expect.objectContaining({ path: '@aws-sdk/client-lambda', kind: 'dynamic-import', external: true })]);
  });

  it('fails the build for a lazily loaded package that has no surface file', async () => {
    const entry = join(work, 'entry.ts');
    writeFileSync(entry, "export const load = () => import('@aws-sdk/client-sts');\n");
    await expect(
      build({
        absWorkingDir: PACKAGE_DIR,
        entryPoints: [entry],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
        plugins: [sdkSurfaces],
      }),
    ).rejects.toThrow(/@aws-sdk\/client-sts is imported on first use but has no SDK surface/);
  });
});
