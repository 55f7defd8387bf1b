import { describe, expect, it } from 'vitest';
import { externalSdkImports, importClosure } from '../../helpers/import-closure.ts';

/** What only the Rooms function may carry: its own tree and the DynamoDB / management clients. */
const ROOMS_ONLY = [/^src\/rooms\//, /client-dynamodb/, /client-apigatewaymanagementapi/];

describe('the token function (src/token/lambda.ts)', () => {
  it('bundles nothing of the Rooms function: no rooms code, no DynamoDB or ManageConnections client', async () => {
    const closure = await importClosure('src/token/lambda.ts');
    expect(closure).toEqual(expect.arrayContaining(['src/token/app.ts', 'src/http/authentication.ts']));
    expect(closure.filter((file) => ROOMS_ONLY.some((pattern) => pattern.test(file)))).toEqual([]);
  });

  it('loads only the SDK packages it uses when the runtime provides the SDK (issue 19: all three clients were imported)', async () => {
    expect(await externalSdkImports('src/token/lambda.ts')).toEqual(['@aws-sdk/client-secrets-manager', '@aws-sdk/credential-provider-node']);
  });
});
