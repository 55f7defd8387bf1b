import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** Secrets Manager (signing keys, public keys, API keys); see {@link createDynamoDbClient}. */
export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return withoutUnusedSdkLogger(new SecretsManagerClient({ ...SECRETS_MANAGER_CLIENT_SETTINGS, ...config }), config);
}
