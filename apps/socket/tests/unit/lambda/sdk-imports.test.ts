import { fileURLToPath } from 'node:url';
import { lambdaBundle } from '@roomgate/shared/testing';
import { describe, expect, it } from 'vitest';

const SERVICE_DIR = fileURLToPath(new URL('../../..', import.meta.url));

/** What a handler's bundle loads at cold start with `@aws-sdk/*` left to the Lambda runtime, as serverless.yml deploys it (CommonJS). */
const externalSdkImports = async (entry: string) => (await lambdaBundle(SERVICE_DIR, entry, { format: 'cjs', sdkExternal: true })).sdkImports;

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
