import { CloudFormationClient, type CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { CLOUDFORMATION_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** CloudFormation (the deploy tooling reads stack outputs; no function uses it); see {@link createDynamoDbClient}. */
export function createCloudFormationClient(config: CloudFormationClientConfig = {}): CloudFormationClient {
  return withoutUnusedSdkLogger(new CloudFormationClient({ ...CLOUDFORMATION_CLIENT_SETTINGS, ...config }), config);
}
