import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { STS_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** STS (the deploy tooling asks which account it runs in; no function uses it); see {@link createDynamoDbClient}. */
export function createStsClient(config: STSClientConfig = {}): STSClient {
  return withoutUnusedSdkLogger(new STSClient({ ...STS_CLIENT_SETTINGS, ...config }), config);
}
