import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from './client-settings.ts';
import { LazyClient, loadOnce } from './lazy-client.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** `@aws-sdk/client-secrets-manager`, imported on the first call (see {@link LazyClient}), typed to the names roomgate uses (sdk-surfaces/client-secrets-manager.ts); the secret reader's commands come from here. */
export const loadSecretsManagerSdk: () => Promise<typeof import('./sdk-surfaces/client-secrets-manager.ts')> = loadOnce(
  () => import('@aws-sdk/client-secrets-manager'),
);

/**
 * Secrets Manager built on the first secret read, for functions that may never read one (the
 * Rooms function reads its API keys only for an API-key caller). Functions that read a secret on
 * every first request, and the tooling, use the eager `createSecretsManagerClient`.
 */
export function createLazySecretsManagerClient(config: SecretsManagerClientConfig = {}): LazyClient<SecretsManagerClient> {
  return new LazyClient(async () =>
    withoutUnusedSdkLogger(new (await loadSecretsManagerSdk()).SecretsManagerClient({ ...SECRETS_MANAGER_CLIENT_SETTINGS, ...config }), config),
  );
}
