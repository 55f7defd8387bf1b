import { build } from 'esbuild';
import { SERVICE_DIR } from './processes.ts';

/**
 * Every file a Lambda entry's bundle is built from, as esbuild resolves them (the same resolver
 * serverless-esbuild packages with), relative to apps/token-api: `src/rooms/app.ts`,
 * `../../packages/shared/src/…`, `../../node_modules/.pnpm/jose@…/…`. Nothing is written.
 */
export async function importClosure(entry: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: SERVICE_DIR,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outdir: 'closure.invalid',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}
