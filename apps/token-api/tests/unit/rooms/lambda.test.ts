import { describe, expect, it } from 'vitest';
import { externalSdkImports, importClosure, lazySdkImports } from '../../helpers/import-closure.ts';

/** What only the token function may carry: its own tree, the signer and the signing key's plumbing. */
const TOKEN_ONLY = [/^src\/token\//, /packages\/shared\/src\/(.*\/)?(signer|key-source|keys)\.ts$/, /\/jose[@/]/];

describe('the Rooms function (src/rooms/lambda.ts)', () => {
  it('bundles nothing of the token function: no token config or runtime, no signer, no key source, no jose', async () => {
    const closure = await importClosure('src/rooms/lambda.ts');
    // The walk itself works: the entry's own app and the shared http layer are in it.
    expect(closure).toEqual(expect.arrayContaining(['src/rooms/app.ts', 'src/http/authentication.ts']));
    expect(closure.filter((file) => TOKEN_ONLY.some((pattern) => pattern.test(file)))).toEqual([]);
  });

  // Issue 19: a listing (the first request of most containers) uses DynamoDB only; loading the
  // other four packages at cold start cost ~1.8× → ~1.5× of the same-shape baseline (docs/benchmarks.md).
  it('loads only DynamoDB with its bundle; management API, EventBridge, Lambda and Secrets Manager on their first call', async () => {
    expect(await externalSdkImports('src/rooms/lambda.ts')).toEqual(['@aws-sdk/client-dynamodb']);
    expect(await lazySdkImports('src/rooms/lambda.ts')).toEqual([
      '@aws-sdk/client-apigatewaymanagementapi',
      '@aws-sdk/client-eventbridge',
      '@aws-sdk/client-lambda',
      '@aws-sdk/client-secrets-manager',
    ]);
  });
});
