import { build } from 'esbuild';
import { SERVICE_DIR } from './processes.ts';

/**
 * Every file that contributes code to a Lambda entry's bundle, as esbuild resolves and tree-shakes
 * them (the same resolver serverless-esbuild packages with), relative to apps/token-api:
 * `src/rooms/app.ts`, `../../packages/shared/src/…`, `../../node_modules/.pnpm/jose@…/…`. A module
 * that is reached through a barrel (`@roomgate/shared/tokens`) but contributes no bytes — the
 * workspace packages declare `"sideEffects": false` — is not counted. Nothing is written.
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
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
}

/**
 * The packages a Lambda entry's bundle still imports at run time when `@aws-sdk/*` is left to the
 * runtime (the bench's "SDK external" build; the socket service's deployed one): every one is
 * loaded at cold start, used or not, since esbuild cannot drop an import of a package it does not see.
 */
export async function externalSdkImports(entry: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: SERVICE_DIR,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['@aws-sdk/*'],
    outdir: 'closure.invalid',
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return [...new Set((output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
}
