import { lambdaBundle } from '@roomgate/shared/testing';
import { SERVICE_DIR } from './processes.ts';

/** Every file that contributes code to a token API function's bundle (ESM, as deployed), relative to apps/token-api. */
export async function importClosure(entry: string): Promise<string[]> {
  return (await lambdaBundle(SERVICE_DIR, entry, { format: 'esm' })).inputs;
}

/** The `@aws-sdk/*` packages the function loads at cold start when the SDK is left to the runtime. */
export async function externalSdkImports(entry: string): Promise<string[]> {
  return (await lambdaBundle(SERVICE_DIR, entry, { format: 'esm', sdkExternal: true })).sdkImports;
}

/** The `@aws-sdk/*` packages the function reaches only through a dynamic `import()`: loaded on their first call, not at cold start. */
export async function lazySdkImports(entry: string): Promise<string[]> {
  return (await lambdaBundle(SERVICE_DIR, entry, { format: 'esm', sdkExternal: true })).lazySdkImports;
}
