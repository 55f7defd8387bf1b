import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { LAMBDA_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** Lambda (`Invoke` of fan-out shards), from LAMBDA_CLIENT_SETTINGS; see aws-clients.ts. Locally `endpoint` is serverless-offline's lambda port. */
export function createLambdaClient(config: LambdaClientConfig = {}): LambdaClient {
  return withoutUnusedSdkLogger(new LambdaClient({ ...LAMBDA_CLIENT_SETTINGS, ...config }), config);
}
