import { fileURLToPath } from 'node:url';
import { lambdaBundle } from '@roomgate/shared/testing';
import { describe, expect, it } from 'vitest';

const SERVICE_DIR = fileURLToPath(new URL('../../..', import.meta.url));

/** What a handler's bundle loads at cold start with `@aws-sdk/*` left to the Lambda runtime, as serverless.yml deploys it (CommonJS). */
const externalSdk = async (entry: string) => {
  const { sdkImports, lazySdkImports } = await lambdaBundle(SERVICE_DIR, entry, { format: 'cjs', sdkExternal: true });
  return { atLoad: sdkImports, onFirstUse: lazySdkImports };
};

// Issue 19: a shared module importing every client made every handler load all of them. Every
// handler reads or writes DynamoDB on each request; the management API (presence frames, fan-out),
// EventBridge (lifecycle events), Secrets Manager (public keys) and Lambda (shards) load on their
// first call, which a `$disconnect` of a lone member or a `$default` ping never makes.
describe('each handler loads only DynamoDB with its bundle, every other SDK client on first use', () => {
  const presence = ['@aws-sdk/client-apigatewaymanagementapi', '@aws-sdk/client-eventbridge'];
  it.each([
    ['src/lambda/connect.ts', [...presence, '@aws-sdk/client-secrets-manager']],
    ['src/lambda/disconnect.ts', presence],
    [
      'src/lambda/default.ts',
      ['@aws-sdk/client-apigatewaymanagementapi', '@aws-sdk/client-eventbridge', '@aws-sdk/client-lambda', '@aws-sdk/client-secrets-manager'],
    ],
    ['src/lambda/fan-out-shard.ts', presence],
  ])('%s', async (entry, onFirstUse) => {
    expect(await externalSdk(entry)).toEqual({ atLoad: ['@aws-sdk/client-dynamodb'], onFirstUse });
  });
});
