import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { LAMBDA_CLIENT_SETTINGS } from './client-settings.ts';
import { LazyClient, loadOnce } from './lazy-client.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** `@aws-sdk/client-lambda`, imported on the first call (see {@link LazyClient}), typed to the names roomgate uses (sdk-surfaces/client-lambda.ts). */
export const loadLambdaSdk: () => Promise<typeof import('./sdk-surfaces/client-lambda.ts')> = loadOnce(() => import('@aws-sdk/client-lambda'));

/**
 * Lambda (`Invoke` of fan-out shards), from LAMBDA_CLIENT_SETTINGS, built on the first sharded
 * publish (most publishes never shard); see aws-clients.ts. Locally `endpoint` is serverless-offline's lambda port.
 */
export function createLambdaClient(config: LambdaClientConfig = {}): LazyClient<LambdaClient> {
  return new LazyClient(async () => withoutUnusedSdkLogger(new (await loadLambdaSdk()).LambdaClient({ ...LAMBDA_CLIENT_SETTINGS, ...config }), config));
}
