import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SERVICE_DIR = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The SDK packages a handler's bundle imports with `@aws-sdk/*` left to the Lambda runtime, as
 * serverless.yml deploys it: each is loaded at cold start whether or not the handler uses it, since
 * esbuild cannot drop an import of a package it does not bundle.
 */
async function externalSdkImports(entry: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: SERVICE_DIR,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@aws-sdk/*'],
    outdir: 'imports.invalid',
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return [...new Set((output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
}

// Issue 19: a shared module importing every client made every handler load all of them. `$connect`
// and `$disconnect` use the management API (presence frames) and EventBridge (lifecycle events) too.
describe('each handler loads only the SDK clients it uses', () => {
  it.each([
    [
      'src/lambda/connect.ts',
      ['@aws-sdk/client-apigatewaymanagementapi', '@aws-sdk/client-dynamodb', '@aws-sdk/client-eventbridge', '@aws-sdk/client-secrets-manager'],
    ],
    ['src/lambda/disconnect.ts', ['@aws-sdk/client-apigatewaymanagementapi', '@aws-sdk/client-dynamodb', '@aws-sdk/client-eventbridge']],
  ])('%s', async (entry, expected) => {
    expect(await externalSdkImports(entry)).toEqual(expected);
  });
});
